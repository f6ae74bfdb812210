# bench_replay (bench/replay.cc): a raw log through the agent's stages, for callgrind; and the
# script that turns two prefixes of a storm into instructions per event (bench/replay_cost.sh).
add_executable(bench_replay ${CMAKE_CURRENT_SOURCE_DIR}/replay.cc)
target_link_libraries(bench_replay PRIVATE auditlens_core)

# bench_retention (bench/retention.cc): size retention on a copy of a store, its longest step timed.
add_executable(bench_retention ${CMAKE_CURRENT_SOURCE_DIR}/retention.cc)
target_link_libraries(bench_retention PRIVATE auditlens_core)
