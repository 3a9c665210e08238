/*
 * The measurement behind assembly/lib/libm.ts's choice of which of glibc's
 * fused multiply-adds deepq emulates exactly and which it leaves a plain
 * multiply and add. A C model of glibc 2.36's __sin_fma/__cos_fma with its
 * 28 FMA sites (numbered as in that file's header) is compared, bit for bit,
 * with this machine's libm (glibc 2.36, x86_64 with FMA).
 *
 *   gcc -O2 -mfma -ffp-contract=off -o /tmp/measure-fma-sites scripts/measure-fma-sites.c -lm
 *   /tmp/measure-fma-sites MODE DIST N [SEED]     (from the repository root)
 *
 * MODE  fused     every site fused: the model must match glibc everywhere
 *       single    each site unfused in turn: differing results per site
 *       estimate  per site, E[P(unfused intermediate differs) *
 *                 P(a one-ulp change there flips the result)]: the rate of
 *                 differences too rare to observe (sites 21-27 not estimated)
 *       deepq     deepq's choice: differences from glibc
 * DIST  0 |x| < 0.25   1 |x| < 2.5   2 log-uniform 2^-30..2.6
 *       3 log-uniform 2..1.3e8   4 log-uniform 2^27..2^1017   5 random bits
 * The sin/cos table is read from assembly/lib/sincostab.ts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SITES 28
/* deepq's choice: the sites it emulates exactly (the rest are plain, or exact products). */
static const int DEEPQ_FUSED[] = {2, 3, 4, 5, 7, 9, 12, 13, 15, 17, 19, 20, 21, 26, 27};

static double TAB[440];
static uint64_t fused = ~0ULL;   /* bit i: site i fused */
static int probe = -1;           /* estimate mode: the probed site */
static double nudge;             /* estimate mode: ulps added at the probed site (0: record only) */
static double pint;              /* estimate mode: P(unfused intermediate differs) at the probe */
static double pre, res;          /* the operands of the last rounding: res = base + pre */

static uint64_t bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double from(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static double ulp(double r) { r = fabs(r); return nextafter(r, INFINITY) - r; }

static double F(int i, double a, double b, double c) {
  double r = fma(a, b, c);
  if (i == probe) {
    if (nudge == 0) {
      double p = a * b, e = fma(a, b, -p);
      double q = c == 0 ? 0 : fabs(e) / ulp(r);
      pint = q < 1 ? q : 1;
      return r;
    }
    return r + nudge * ulp(r);
  }
  return (fused >> i & 1) ? r : a * b + c;
}

#define S5 -0x1.ADDFFC2FCDF59p-26
#define S4 0x1.71DE27B9A7ED9p-19
#define S3 -0x1.A01A019DB08B8p-13
#define S2 0x1.1111111110ECEp-7
#define S1 -0x1.5555555555555p-3
#define SN3 -0x1.5555555555515p-3
#define SN5 0x1.11110e829872fp-7
#define CS2 0.5
#define CS4 -0x1.5555555555535p-5
#define CS6 0x1.6c16bedd9e239p-10
#define BIG 0x1.8p45
#define HP0 0x1.921FB54442D18p0
#define HP1 0x1.1A62633145C07p-54
#define MP1 0x1.921FB58000000p0
#define MP2 -0x1.DDE973C000000p-27
#define PP3 -0x1.CB3B398000000p-55
#define PP4 -0x1.d747f23e32ed7p-83
#define HPINV 0x1.45F306DC9C883p-1
#define TOINT 0x1.8p52

static double taylor(double a, double da) {
  double xx = a * a;
  double p = F(3, F(2, F(1, F(0, S5, xx, S4), xx, S3), xx, S2), xx, S1);
  double t = F(5, xx, F(4, p, a, -(0.5 * da)), da);
  pre = t; res = a + t;
  return a + t;
}
static double do_sin(double x, double dx) {
  if (fabs(x) < 0.126) return taylor(x, dx);
  if (x <= 0) dx = -dx;
  double u = BIG + fabs(x), xr = fabs(x) - (u - BIG), xx = xr * xr;
  const double *t = TAB + ((uint32_t)bits(u) << 2);
  double s = xr + F(7, xr * xx, F(6, xx, SN5, SN3), dx);
  double c = F(10, xr, dx, xx * F(9, xx, F(8, xx, CS6, CS4), CS2));
  double cor = F(13, s, t[2], F(12, -c, t[0], F(11, s, t[3], t[1])));
  pre = cor; res = t[0] + cor;
  return copysign(t[0] + cor, x);
}
static double do_cos(double x, double dx) {
  if (x < 0) dx = -dx;
  double u = BIG + fabs(x), xr = fabs(x) - (u - BIG) + dx, xx = xr * xr;
  const double *t = TAB + ((uint32_t)bits(u) << 2);
  double s = F(15, xr * xx, F(14, xx, SN5, SN3), xr);
  double c = xx * F(17, xx, F(16, xx, CS6, CS4), CS2);
  double cor = F(20, -s, t[0], F(19, -c, t[2], F(18, -s, t[1], t[3])));
  pre = cor; res = t[2] + cor;
  return t[2] + cor;
}
static int reduce(double x, double *a, double *da) {
  double t = F(21, x, HPINV, TOINT), xn = t - TOINT;
  double y = F(23, -xn, MP2, F(22, -xn, MP1, x));
  double t2 = F(24, -xn, PP3, y), db = F(25, -xn, PP3, y - t2);
  double b = F(26, -xn, PP4, t2);
  *a = b; *da = db + F(27, -xn, PP4, t2 - b);
  return (int)(uint32_t)bits(t) & 3;
}

/* __branred (no FMA in glibc's build). */
static const double toverp[75] = {
  10680707, 7228996, 1387004, 2578385, 16069853, 12639074, 9804092, 4427841, 16666979, 11263675, 12935607, 2387514, 4345298,
  14681673, 3074569, 13734428, 16653803, 1880361, 10960616, 8533493, 3062596, 8710556, 7349940, 6258241, 3772886, 3769171,
  3798172, 8675211, 12450088, 3874808, 9961438, 366607, 15675153, 9132554, 7151469, 3571407, 2607881, 12013382, 4155038,
  6285869, 7677882, 13102053, 15825725, 473591, 9065106, 15363067, 6271263, 9264392, 5636912, 4652155, 7056368, 13614112,
  10155062, 1944035, 9527646, 15080200, 6658437, 6231200, 6832269, 16767104, 5075751, 3212806, 1398474, 7579849, 6349435,
  12618859, 4703257, 12806093, 14477321, 2786137, 12875403, 9837734, 14528324, 13719321, 343717};
static void branred_part(double x, double *sum_o, double *b_o, double *bb_o) {
  const double big = 0x1.8p52, big1 = 0x1.8p54;
  double r[6], s, t, sum = 0, bb;
  int k = ((int)(bits(x) >> 52 & 2047) - 450) / 24;
  if (k < 0) k = 0;
  double gor = from((uint64_t)(1599 - 24 * k) << 52);
  for (int i = 0; i < 6; i++) { r[i] = x * toverp[k + i] * gor; gor *= 0x1p-24; }
  for (int i = 0; i < 3; i++) { s = (r[i] + big) - big; sum += s; r[i] -= s; }
  t = 0;
  for (int i = 0; i < 6; i++) t += r[5 - i];
  bb = (((((r[0] - t) + r[1]) + r[2]) + r[3]) + r[4]) + r[5];
  s = (t + big) - big; sum += s; t -= s;
  double b = t + bb;
  bb = (t - b) + bb;
  s = (sum + big1) - big1;
  *sum_o = sum - s; *b_o = b; *bb_o = bb;
}
static int branred(double x, double *a, double *aa) {
  const double split = 134217729.0, mp2 = from(0xBE4DDE9740000000ULL);
  x *= 0x1p-600;
  double t = x * split, x1 = t - (t - x), x2 = x - x1, sum1, b1, bb1, sum2, b2, bb2;
  branred_part(x1, &sum1, &b1, &bb1);
  branred_part(x2, &sum2, &b2, &bb2);
  double sum = sum1 + sum2, b = b1 + b2;
  double bb = fabs(b1) > fabs(b2) ? (b1 - b) + b2 : (b2 - b) + b1;
  if (b > 0.5) { b -= 1.0; sum += 1.0; } else if (b < -0.5) { b += 1.0; sum -= 1.0; }
  double s = b + (bb + bb1 + bb2);
  t = ((b - s) + bb) + (bb1 + bb2);
  b = s * split;
  double t1 = b - (b - s), t2 = s - t1;
  b = s * HP0;
  bb = (((t1 * MP1 - b) + t1 * mp2) + t2 * MP1) + (t2 * mp2 + s * HP1 + t * HP0);
  s = b + bb;
  *a = s; *aa = (b - s) + bb;
  return (int)sum & 3;
}
static double quadrant(double a, double da, int n) {
  double r = (n & 1) ? do_cos(a, da) : do_sin(a, da);
  return (n & 2) ? -r : r;
}
static double msin(double x) {
  uint32_t k = (uint32_t)(bits(x) >> 32) & 0x7fffffff;
  double a, da;
  if (k < 0x3e500000) return x;
  if (k < 0x3feb6000) return do_sin(x, 0);
  if (k < 0x400368fd) return copysign(do_cos(HP0 - fabs(x), HP1), x);
  if (k < 0x419921FB) { int n = reduce(x, &a, &da); return quadrant(a, da, n); }
  if (k < 0x7ff00000) { int n = branred(x, &a, &da); return quadrant(a, da, n); }
  return x / x;
}
static double mcos(double x) {
  uint32_t k = (uint32_t)(bits(x) >> 32) & 0x7fffffff;
  double a, da;
  if (k < 0x3e400000) return 1.0;
  if (k < 0x3feb6000) return do_cos(x, 0);
  if (k < 0x400368fd) { double y = HP0 - fabs(x); a = y + HP1; return do_sin(a, (y - a) + HP1); }
  if (k < 0x419921FB) { int n = reduce(x, &a, &da); return quadrant(a, da, n + 1); }
  if (k < 0x7ff00000) { int n = branred(x, &a, &da); return quadrant(a, da, n + 1); }
  return x / x;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static double unit(void) { return (next() >> 11) * 0x1p-53; }
static double draw(int dist) {
  double sign = (next() & 1) ? -1 : 1;
  switch (dist) {
    case 0: return (2 * unit() - 1) * 0.25;
    case 1: return (2 * unit() - 1) * 2.5;
    case 2: return sign * exp2(-30 + 31.4 * unit());
    case 3: return sign * exp2(1 + 26 * unit());
    case 4: return sign * exp2(27 + 990 * unit());
    default: return from(next());
  }
}

static void load_table(void) {
  FILE *f = fopen("assembly/lib/sincostab.ts", "r");
  if (!f) { perror("assembly/lib/sincostab.ts (run from the repository root)"); exit(1); }
  char tok[64];
  int n = 0;
  while (n < 440 && fscanf(f, "%63s", tok) == 1) {
    if (strncmp(tok, "0x", 2) == 0 && strlen(tok) >= 18) TAB[n++] = from(strtoull(tok, NULL, 16));
  }
  fclose(f);
  if (n != 440) { fprintf(stderr, "read %d table entries, want 440\n", n); exit(1); }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s fused|single|estimate|deepq DIST N [SEED]\n", argv[0]); return 2; }
  load_table();
  const char *mode = argv[1];
  int dist = atoi(argv[2]);
  long n = atol(argv[3]), m = 0;
  if (argc > 4) rng += strtoull(argv[4], NULL, 10);
  long diff[2][SITES] = {{0}};
  double est[2][SITES] = {{0}};
  if (strcmp(mode, "deepq") == 0) {
    fused = 0;
    for (unsigned i = 0; i < sizeof DEEPQ_FUSED / sizeof *DEEPQ_FUSED; i++) fused |= 1ULL << DEEPQ_FUSED[i];
  }
  for (long i = 0; i < n; i++) {
    double x = draw(dist);
    if (!isfinite(x)) continue;
    m++;
    uint64_t want[2] = {bits(sin(x)), bits(cos(x))};
    if (strcmp(mode, "single") == 0) {
      for (int j = 0; j < SITES; j++) {
        fused = ~(1ULL << j);
        diff[0][j] += bits(msin(x)) != want[0];
        diff[1][j] += bits(mcos(x)) != want[1];
      }
    } else if (strcmp(mode, "estimate") == 0) {
      for (int f = 0; f < 2; f++) {
        probe = -1;
        f ? mcos(x) : msin(x);
        double pre0 = pre, res0 = res;
        /* The reduction's sites move the quadrant, not a last rounding. */
        for (int j = 0; j < 21; j++) {
          probe = j; nudge = 0; pint = 0;
          f ? mcos(x) : msin(x);
          if (pint == 0) continue;
          /* A large nudge (2^20 ulps) propagates through the later roundings; scale back. */
          nudge = (i & 1) ? 0x1p20 : -0x1p20;
          pre = pre0;
          f ? mcos(x) : msin(x);
          double flip = fabs(pre - pre0) / ulp(res0) / 0x1p20;
          est[f][j] += pint * (flip < 1 ? flip : 1);
        }
      }
    } else {
      diff[0][0] += bits(msin(x)) != want[0];
      diff[1][0] += bits(mcos(x)) != want[1];
    }
  }
  printf("%s dist %d: %ld inputs\n", mode, dist, m);
  if (strcmp(mode, "single") == 0) {
    for (int j = 0; j < SITES; j++) printf("site %2d unfused: sin %ld, cos %ld differ\n", j, diff[0][j], diff[1][j]);
  } else if (strcmp(mode, "estimate") == 0) {
    for (int j = 0; j < 21; j++) printf("site %2d: est. rate per call sin %.2g, cos %.2g\n", j, est[0][j] / m, est[1][j] / m);
  } else {
    printf("sin %ld, cos %ld differ from glibc\n", diff[0][0], diff[1][0]);
  }
  return 0;
}
