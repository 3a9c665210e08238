// How close to a rounding midpoint x*x must lie for glibc's pow(x, 2.0) to
// round it the other way (assembly/lib/pow2.ts's fast-path margin). For x
// log-uniform in [2^lo, 2^hi], of either sign: the largest distance from
// the midpoint, in ulps of x*x, among inputs where pow(x, 2.0) != x*x, and
// how many such inputs pow2.ts's test (0.02 ulp) would take as x*x (must
// be 0). Run on x86-64 with FMA, glibc 2.36 (whose ifunc then picks
// __pow_fma, as for the golden data):
//   gcc -O2 -o /tmp/m scripts/measure-pow2-margin.c -lm && /tmp/m 1000000000 -16 16
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv) {
  if (argc != 4) return fprintf(stderr, "usage: %s count log2lo log2hi\n", argv[0]), 2;
  const long n = atol(argv[1]);
  const double lo = atof(argv[2]), hi = atof(argv[3]);
  volatile double two = 2.0;
  long differ = 0, missed = 0;
  double widest = 0;
  for (long i = 0; i < n; i++) {
    double x = exp2(lo + (hi - lo) * ((next() >> 11) * 0x1p-53));
    if (next() & 1) x = -x;
    const double p = x * x, e = fma(x, x, -p);
    uint64_t bits, ulpBits;
    memcpy(&bits, &p, 8);
    ulpBits = (bits & 0x7ff0000000000000ull) - (52ull << 52);
    double ulp;
    memcpy(&ulp, &ulpBits, 8);
    const double gap = e < 0 && (bits & 0xfffffffffffffull) == 0 ? 0.5 * ulp : ulp;
    const double margin = (0.5 * gap - fabs(e)) / ulp;
    if (pow(x, two) != p) {
      differ++;
      if (margin > widest) widest = margin;
      if (margin > 0.02) missed++;
    }
  }
  printf("%ld inputs in +-[2^%g, 2^%g]: pow(x, 2) != x*x on %ld, at most %.6f ulp from the midpoint; beyond 0.02 ulp: %ld\n", n, lo, hi, differ, widest, missed);
  return missed != 0;
}
