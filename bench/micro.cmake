# Google Benchmark micro-benchmarks of the pipeline stages (bench/micro_pipeline.cc).
find_package(benchmark REQUIRED)
add_executable(bench_micro ${CMAKE_CURRENT_SOURCE_DIR}/micro_pipeline.cc)
target_link_libraries(bench_micro PRIVATE auditlens_core benchmark::benchmark)
target_compile_definitions(bench_micro PRIVATE
  AUDITLENS_CORPUS="${PROJECT_SOURCE_DIR}/tests/data/differential/corpus-debian12.log")
