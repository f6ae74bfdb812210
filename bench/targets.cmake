# The showdown's programs (see bench/README.md): the floor consumer, the storm generator, the small
# program the exec storm runs, and the CPU/memory probe the harness reads consumers with.
# They do not link auditlens_core, so the harness works while the agent is being built; the
# bench_floor_core variant shares the agent's receive code once src/netlink/audit_netlink.cc exists.

add_executable(bench_floor ${CMAKE_CURRENT_SOURCE_DIR}/floor.cc)

add_executable(bench_storm ${CMAKE_CURRENT_SOURCE_DIR}/storm.c)
add_executable(bench_noop ${CMAKE_CURRENT_SOURCE_DIR}/noop.c)
add_executable(bench_proc ${CMAKE_CURRENT_SOURCE_DIR}/proc.c)
# The storm's speed is measured: build its loops optimised whatever the build type.
target_compile_options(bench_storm PRIVATE -O2)

if(EXISTS ${PROJECT_SOURCE_DIR}/src/netlink/audit_netlink.cc)
  add_executable(bench_floor_core ${CMAKE_CURRENT_SOURCE_DIR}/floor.cc)
  target_compile_definitions(bench_floor_core PRIVATE BENCH_FLOOR_CORE)
  target_link_libraries(bench_floor_core PRIVATE auditlens_core)
endif()

# `cmake --build BUILD --target bench_tools` builds everything run.sh needs.
add_custom_target(bench_tools DEPENDS bench_floor bench_storm bench_noop bench_proc)
