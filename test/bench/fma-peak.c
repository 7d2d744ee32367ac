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

static void *spin(void *out) {
#if defined(__AVX__)
  __m256 acc[CHAINS];
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
  for (long n = 0; n < iterations; n++) {
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  float sum = 0.f, lanes[8];
  for (int i = 0; i < CHAINS; i++) {
    _mm256_storeu_ps(lanes, acc[i]);
    for (int l = 0; l < 8; l++) sum += lanes[l];
  }
  *(float *)out = sum; /* keeps the work observable so it is not optimised away */
#else
  (void)out;
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
