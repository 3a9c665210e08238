/*
 * Reference data for deepq's glibc-identical x**2 (assembly/lib/pow2.ts).
 *
 * Writes test/fixtures/pow2-cases.f64, little-endian float64 rows of
 * [x, pow(x, 2.0)], from this machine's libm (glibc 2.36 on x86_64 with FMA,
 * whose ifunc picks __pow_fma, the variant the Acrobot golden data came
 * from). The rows weight the cases the fast paths must leave to the exact
 * one: squares pow rounds the other way than x*x, squares at the fast
 * test's 0.48-ulp edge, squares next to powers of two, the near range's
 * ends, and the far range.
 *
 * Regenerate (from the repository root, on such a machine):
 *   gcc -O2 -ffp-contract=off -o /tmp/gen-pow2-fixture scripts/gen-pow2-fixture.c -lm && /tmp/gen-pow2-fixture
 * The inputs come from a fixed splitmix64 stream, so the file is reproducible.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t seed = 0x243F6A8885A308D3ULL;
static uint64_t next(void) {
  uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static double unit(void) { return (next() >> 11) * 0x1p-53; }
static double sign(void) { return (next() & 1) ? -1.0 : 1.0; }
static double logu(double lo, double hi) { return sign() * exp2(log2(lo) + (log2(hi) - log2(lo)) * unit()); }
static double bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t ubits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static volatile double two = 2.0;
static FILE *out;
static long rows;
static void row(double x) { double v[2] = {x, pow(x, two)}; fwrite(v, sizeof(double), 2, out); rows++; }

/* |e| / ulp(x*x), e the exact error of the product. */
static double error_ulps(double x) {
  double p = x * x, e = fma(x, x, -p);
  double ulp = bits((ubits(p) & 0x7ff0000000000000ULL) - (52ULL << 52));
  return fabs(e) / ulp;
}

/* x and its neighbours a few ulps either side, both signs. */
static void around(double x) {
  for (int s = -1; s <= 1; s += 2)
    for (int d = -2; d <= 2; d++) row(s * bits(ubits(x) + d));
}

int main(void) {
  out = fopen("test/fixtures/pow2-cases.f64", "wb");
  if (!out) { perror("test/fixtures/pow2-cases.f64"); return 1; }
  /* Acrobot's velocities (bounded by 4 pi and 9 pi) and the near range. */
  for (int i = 0; i < 1024; i++) row(sign() * 9 * M_PI * unit());
  for (int i = 0; i < 1024; i++) row(logu(0x1p-16, 0x1p16));
  /* Squares glibc's pow rounds the other way than x*x. */
  for (int found = 0; found < 1024;) {
    double x = logu(0x1p-16, 0x1p16);
    if (pow(x, two) != x * x) row(x), found++;
  }
  /* Squares at the fast test's edge, |e| near 0.48 ulp. */
  for (int found = 0; found < 512;) {
    double x = logu(0x1p-16, 0x1p16), u = error_ulps(x);
    if (u > 0.475 && u < 0.485) row(x), found++;
  }
  /* Squares next to powers of two: x next to 2^(k/2). */
  for (int k = -60; k <= 60; k++) around(exp2(k / 2.0));
  /* The near range's ends, and the far range up to and past 2^+-480. */
  around(0x1p-16);
  around(0x1p16);
  around(0x1p-480);
  around(0x1p480);
  for (int i = 0; i < 256; i++) row(logu(0x1p-480, 0x1p-16));
  for (int i = 0; i < 256; i++) row(logu(0x1p16, 0x1p480));
  for (int i = 0; i < 64; i++) row(logu(0x1p-1074, 0x1p-480));
  for (int i = 0; i < 64; i++) row(logu(0x1p480, 0x1p511));
  /* Zeros and infinities. */
  row(0.0);
  row(-0.0);
  row(INFINITY);
  row(-INFINITY);
  if (rows % 2) row(1.0);
  fclose(out);
  printf("pow2-cases.f64: %ld rows\n", rows);
  return 0;
}
