/* bench_noop: the small program that the exec storm runs; it does nothing so that the storm measures
 * fork+execve and its audit records, not the program. */
int main(void) { return 0; }
