/*
 * Measures this machine's fp32 fused-multiply-add peak (FLOP/s, counting an FMA as 2 FLOPs) on all cores.
 * Each thread runs 12 independent vector FMA chains so the FMA units' latency is hidden and only their
 * throughput limits the loop. Built by the benchmark with `gcc -O2 -march=native -pthread`.
 * Prints one number: FLOP/s.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
static long iterations = 200000000L;

/* Twelve named accumulators, written out, so the compiler keeps them all in registers (an array indexed in a loop
 * ends up in memory at -O2, and store-to-load latency then measures the cache, not the FMA units). */
#define FMA12                                                                                             \
  a0 = _mm256_fmadd_ps(a0, m, c); a1 = _mm256_fmadd_ps(a1, m, c); a2 = _mm256_fmadd_ps(a2, m, c);        \
  a3 = _mm256_fmadd_ps(a3, m, c); a4 = _mm256_fmadd_ps(a4, m, c); a5 = _mm256_fmadd_ps(a5, m, c);        \
  a6 = _mm256_fmadd_ps(a6, m, c); a7 = _mm256_fmadd_ps(a7, m, c); a8 = _mm256_fmadd_ps(a8, m, c);        \
  a9 = _mm256_fmadd_ps(a9, m, c); a10 = _mm256_fmadd_ps(a10, m, c); a11 = _mm256_fmadd_ps(a11, m, c);

static void *spin(void *out) {
#if defined(__AVX__) && defined(__FMA__)
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  __m256 a0 = _mm256_set1_ps(0), a1 = _mm256_set1_ps(1), a2 = _mm256_set1_ps(2), a3 = _mm256_set1_ps(3);
  __m256 a4 = _mm256_set1_ps(4), a5 = _mm256_set1_ps(5), a6 = _mm256_set1_ps(6), a7 = _mm256_set1_ps(7);
  __m256 a8 = _mm256_set1_ps(8), a9 = _mm256_set1_ps(9), a10 = _mm256_set1_ps(10), a11 = _mm256_set1_ps(11);
  for (long n = 0; n < iterations; n++) {
    FMA12
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float lanes[8], sum = 0.f;
  _mm256_storeu_ps(lanes, s);
  for (int l = 0; l < 8; l++) sum += lanes[l];
  *(float *)out = sum; /* keeps the work observable so it is not optimised away */
#else
#error "the FMA peak probe needs AVX and FMA (x86-64 with -march=native on a CPU that has them)"
#endif
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (argc > 2) iterations = atol(argv[2]);
  pthread_t t[256];
  float sink[256];
  struct timespec s, e;
  clock_gettime(CLOCK_MONOTONIC, &s);
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, spin, &sink[i]);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &e);
  double secs = (e.tv_sec - s.tv_sec) + (e.tv_nsec - s.tv_nsec) * 1e-9;
  double flops = 2.0 * 8 * CHAINS * (double)iterations * threads;
  printf("%.6e\n", flops / secs);
  return sink[0] == 12345.f ? 1 : 0;
}
