/*
 * Reference data for deepq's glibc-identical sin/cos, x**2 and software fma.
 *
 * Writes three little-endian float64 files:
 *   test/fixtures/libm-sincos.f64  rows of [x, sin(x), cos(x)]
 *   test/fixtures/fma-cases.f64    rows of [a, b, c, fma(a, b, c)]
 *   test/fixtures/pow2-cases.f64   rows of [x, pow(x, 2.0)]
 * from this machine's libm (glibc 2.36 on x86_64 with FMA, so sin/cos/pow
 * resolve to __sin_fma/__cos_fma/__pow_fma, the variants the CartPole and
 * Acrobot golden data came from).
 *
 * pow2-cases weights what assembly/lib/pow2.ts's fast paths must leave to
 * its exact one: squares pow rounds the other way than x*x, squares at the
 * fast test's 0.48-ulp edge, squares next to powers of two, the near
 * range's ends, the far range, zeros and infinities.
 *
 * Regenerate (from the repository root, on such a machine):
 *   gcc -O2 -ffp-contract=off -o /tmp/gen-libm-fixture scripts/gen-libm-fixture.c -lm && /tmp/gen-libm-fixture
 * The inputs come from a fixed splitmix64 stream, so the files are reproducible.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seed = 0x5DEECE66DULL;
static uint64_t next(void) {
  uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static double unit(void) { return (next() >> 11) * 0x1p-53; }
static double sym(double r) { return (2 * unit() - 1) * r; }
static double sign(void) { return (next() & 1) ? -1.0 : 1.0; }
static double logu(double lo, double hi) { return sign() * exp2(log2(lo) + (log2(hi) - log2(lo)) * unit()); }
static double bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t ubits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static FILE *out;
static long rows;
static volatile double two = 2.0;
static void put(const double *v, int n) { fwrite(v, sizeof(double), n, out); rows++; }
static void sincos_row(double x) { double v[3] = {x, sin(x), cos(x)}; put(v, 3); }
static void fma_row(double a, double b, double c) { double v[4] = {a, b, c, fma(a, b, c)}; put(v, 4); }
static void pow2_row(double x) { double v[2] = {x, pow(x, two)}; put(v, 2); }

/* |e| / ulp(x*x), e the exact error of the product. */
static double error_ulps(double x) {
  double p = x * x, e = fma(x, x, -p);
  double ulp = bits((ubits(p) & 0x7ff0000000000000ULL) - (52ULL << 52));
  return fabs(e) / ulp;
}

/* A row of x and of its finite neighbours a few ulps either side, both signs. */
static void around(double x, void (*row)(double)) {
  for (int s = -1; s <= 1; s += 2)
    for (int d = -2; d <= 2; d++) {
      double y = bits(ubits(x) + d);
      if (isfinite(y)) row(s * y);
    }
}



int main(void) {
  out = fopen("test/fixtures/libm-sincos.f64", "wb");
  if (!out) { perror("test/fixtures/libm-sincos.f64"); return 1; }
  /* CartPole's angles: |theta| < 0.21 while the episode runs, a little past it at termination. */
  for (int i = 0; i < 12000; i++) sincos_row(sym(0.21));
  for (int i = 0; i < 3000; i++) sincos_row(sym(0.25));
  /* After termination (unwrapped envs) the pole keeps swinging. */
  for (int i = 0; i < 2500; i++) sincos_row(sym(2.5));
  for (int i = 0; i < 1000; i++) sincos_row(logu(0x1p-60, 0.25));
  for (int i = 0; i < 800; i++) sincos_row(logu(2.4, 105414350.0));
  for (int i = 0; i < 200; i++) sincos_row(logu(105414350.0, 0x1p1023));
  /* Branch thresholds of glibc's s_sin.c and the table's rounding ties (k + 1/2) / 128. */
  const double edges[] = {0x1p-27, 0x1p-26, 0.126, bits(0x3feb600000000000), bits(0x400368fd00000000),
                          bits(0x419921fb00000000), 0x1p-1022, 0x1p-1074, 0.0};
  for (unsigned i = 0; i < sizeof edges / sizeof *edges; i++) around(edges[i], sincos_row);
  for (int k = 0; k < 110; k++) sincos_row(sign() * (k + 0.5) / 128);
  while (rows % 1024) sincos_row(sym(0.21));
  fclose(out);
  printf("libm-sincos.f64: %ld rows\n", rows);

  out = fopen("test/fixtures/fma-cases.f64", "wb");
  if (!out) { perror("test/fixtures/fma-cases.f64"); return 1; }
  rows = 0;
  for (int i = 0; i < 1024; i++) {
    /* Random operands of moderate exponent. */
    fma_row(logu(0x1p-60, 0x1p60), logu(0x1p-60, 0x1p60), logu(0x1p-120, 0x1p120));
    /* Operands like the sin/cos kernels': |ab| far below |c|. */
    fma_row(sym(1), logu(0x1p-30, 1), sym(1));
  }
  for (int i = 0; i < 1024; i++) {
    double a = logu(0x1p-30, 0x1p30), b = logu(0x1p-30, 0x1p30), p = a * b;
    /* Cancellation: c = -round(ab) leaves the product's rounding error. */
    fma_row(a, b, -p);
    /* ... and nearly so. */
    fma_row(a, b, -p * (1 + sym(0x1p-40)));
    /* Near ties: ab just above, at or below half an ulp of c, so a separate
       multiply and add would break the tie the wrong way. */
    double c = logu(1, 0x1p10), half = (bits(ubits(fabs(c)) + 1) - fabs(c)) / 2;
    double bb = half / a;
    fma_row(a, bb, c);
    fma_row(a, -bb, c);
  }
  for (int i = 0; i < 512; i++) {
    /* Exact ties: ab is exactly half an ulp of c (powers of two). */
    double c = logu(1, 0x1p20), half = (bits(ubits(fabs(c)) + 1) - fabs(c)) / 2;
    int k = (int)(next() % 40) - 20;
    fma_row(ldexp(1, k), sign() * ldexp(half, -k), c);
    /* Signed zeros and exact products. */
    fma_row(sym(4), 0.0, sign() * 0.0);
    fma_row(ldexp(1, (int)(next() % 20)), sym(8), sym(8));
    fma_row(sign() * 0.0, sym(4), sym(4));
  }
  fclose(out);
  printf("fma-cases.f64: %ld rows\n", rows);

  out = fopen("test/fixtures/pow2-cases.f64", "wb");
  if (!out) { perror("test/fixtures/pow2-cases.f64"); return 1; }
  rows = 0;
  /* Acrobot's velocities (bounded by 4 pi and 9 pi) and the near range. */
  for (int i = 0; i < 1024; i++) pow2_row(sym(9 * M_PI));
  for (int i = 0; i < 1024; i++) pow2_row(logu(0x1p-16, 0x1p16));
  /* Squares glibc's pow rounds the other way than x*x. */
  for (int found = 0; found < 1024;) {
    double x = logu(0x1p-16, 0x1p16);
    if (pow(x, two) != x * x) pow2_row(x), found++;
  }
  /* Squares at the fast test's edge, |e| near 0.48 ulp. */
  for (int found = 0; found < 512;) {
    double x = logu(0x1p-16, 0x1p16), u = error_ulps(x);
    if (u > 0.475 && u < 0.485) pow2_row(x), found++;
  }
  /* Squares next to powers of two: x next to 2^(k/2). */
  for (int k = -60; k <= 60; k++) around(exp2(k / 2.0), pow2_row);
  /* The near range's ends, and the far range up to and past 2^+-480. */
  const double ends[] = {0x1p-16, 0x1p16, 0x1p-480, 0x1p480};
  for (unsigned i = 0; i < sizeof ends / sizeof *ends; i++) around(ends[i], pow2_row);
  for (int i = 0; i < 256; i++) pow2_row(logu(0x1p-480, 0x1p-16));
  for (int i = 0; i < 256; i++) pow2_row(logu(0x1p16, 0x1p480));
  for (int i = 0; i < 64; i++) pow2_row(logu(0x1p-1074, 0x1p-480));
  for (int i = 0; i < 64; i++) pow2_row(logu(0x1p480, 0x1p511));
  /* Zeros and infinities. */
  const double specials[] = {0.0, -0.0, INFINITY, -INFINITY};
  for (unsigned i = 0; i < sizeof specials / sizeof *specials; i++) pow2_row(specials[i]);
  fclose(out);
  printf("pow2-cases.f64: %ld rows\n", rows);
  return 0;
}
