/// The transcendental functions of generated kernels, as inline branch-free C that gcc and clang
/// vectorize at -O3 and tcc compiles (no builtins, no `vector_size`): a libm call in a loop keeps
/// gcc from vectorizing it, and `erff` alone kept a GELU over 4M floats at 37 ms.
///
/// Each function is a polynomial or rational approximation after range reduction; rounding to an
/// integer adds and subtracts 1.5·2²³ (1.5·2⁵² in double), and exponent bits are set through a
/// union. Selects are ternaries whose arms are plain values, so that gcc if-converts them; gcc
/// still refuses to if-convert a computation it believes may trap, hence the `optimize` pragma
/// (Kiln's kernels never read the floating-point exception flags). Every function is within
/// 5e-7 relative of the float64 reference (GELU, whose cost sets the speed of a GELU graph, within
/// 1e-6) over the whole float32 domain where the value is a normal float
/// (`TranscendentalAccuracyTests`), and exact at 0, ±inf and NaN.
///
/// `pow`, `sin` and `cos` work in double inside: `pow` because e^(b·ln a) magnifies the error
/// of ln a by |b·ln a|, `sin` and `cos` for an exact reduction of any float argument. libm
/// remains for `sqrtf` (gcc vectorizes it under `-fno-math-errno`, which a pragma cannot set and
/// `NativeBackend.flags` passes),
/// `floorf`/`ceilf`/`fabsf` (inlined by the compilers) and the scalar code outside loops.
///
/// Under tcc the names map to libm (tcc's calls and scalar code make the approximations slower
/// than libm there) unless `KILN_INLINE_MATH` is defined, as the accuracy tests do.
///
/// `KILN_MATH` marks the functions unused-is-fine (clang warns about unused static functions).
/// `KILN_PARALLEL_FOR` (`ParallelLoop`) is OpenMP's `parallel for` when the compiler runs with
/// `-fopenmp` and nothing otherwise, so that no compiler warns about an unknown pragma.
extension CPrelude {
    static let math = """
        #if defined(__GNUC__) && !defined(__clang__) && !defined(__TINYC__)
        #pragma GCC optimize ("no-trapping-math")
        #endif
        #if defined(__GNUC__) || defined(__clang__) || defined(__TINYC__)
        #define KILN_MATH static inline __attribute__((unused))
        #else
        #define KILN_MATH static inline
        #endif
        #ifdef _OPENMP
        #define KILN_PARALLEL_FOR _Pragma("omp parallel for")
        #else
        #define KILN_PARALLEL_FOR
        #endif
        #if defined(__TINYC__) && !defined(KILN_INLINE_MATH)
        /* tcc inlines nothing and keeps no value in a vector register: each approximation would be
           scalar calls slower than libm's (a GELU over 4M floats 3x slower), so the first tier calls
           libm. KILN_INLINE_MATH compiles the approximations under tcc too (the accuracy tests). */
        #define kiln_exp(x) expf(x)
        #define kiln_expm1(x) expm1f(x)
        #define kiln_log(x) logf(x)
        #define kiln_log1p(x) log1pf(x)
        #define kiln_tanh(x) tanhf(x)
        #define kiln_sigmoid(x) (1.0f / (1.0f + expf(-(x))))
        #define kiln_erf(x) erff(x)
        #define kiln_erfc(x) erfcf(x)
        #define kiln_gelu(x) (0.5f * (x) * erfcf(-0.707106781f * (x)))
        #define kiln_gelu_tanh(x) ((x) / (1.0f + expf(-1.59576912f * ((x) + 0.044715f * (x) * (x) * (x)))))
        #define kiln_softplus(x) (fmaxf((x), 0.0f) + log1pf(expf(-fabsf(x))))
        #define kiln_pow(a, b) powf((a), (b))
        #define kiln_sin(x) sinf(x)
        #define kiln_cos(x) cosf(x)
        #else
        typedef union { float f; int i; } kiln_bits;
        typedef union { double d; long long i; } kiln_bits64;

        /* 2^n for an integer n in [-126, 127], through the exponent bits. */
        KILN_MATH float kiln_pow2i(int n) { kiln_bits b; b.i = (n + 127) << 23; return b.f; }

        /* e^(hi + lo) for a small correction lo: Cody-Waite reduction by n*ln2 (n rounded by adding and
           subtracting 1.5*2^23), a degree-6 polynomial on [-ln2/2, ln2/2], and 2^n applied in two
           factors so that results in the subnormal range round once. */
        KILN_MATH float kiln_exp_sum(float hi, float lo) {
            float s = hi + lo;
            hi = s > 89.0f ? 89.0f : hi;
            hi = s < -110.0f ? -110.0f : hi;
            lo = ((s > 89.0f) | (s < -110.0f)) ? 0.0f : lo;
            s = hi + lo;
            kiln_bits t; t.f = s * 1.44269504088896341f + 12582912.0f;
            float n = t.f - 12582912.0f;
            int k = t.i - 0x4B400000;
            float r = (hi - n * 0.693359375f) - n * -2.12194440e-4f + lo;
            float z = r * r;
            float p = ((((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
                + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * z + r) + 1.0f;
            int k1 = k / 2;
            return p * kiln_pow2i(k1) * kiln_pow2i(k - k1);
        }

        KILN_MATH float kiln_exp(float x) { return kiln_exp_sum(x, 0.0f); }

        /* e^x - 1, accurate near 0: a Taylor polynomial for |x| < 0.5, e^x - 1 elsewhere. */
        KILN_MATH float kiln_expm1(float x) {
            float p = x * (1.0f + x * (0.5f + x * (1.6666667e-1f + x * (4.1666668e-2f + x * (8.3333338e-3f
                + x * (1.3888889e-3f + x * (1.9841270e-4f + x * 2.4801587e-5f)))))));
            float q = kiln_exp(x) - 1.0f;
            return ((x < 0.5f) & (x > -0.5f)) ? p : q;
        }

        /* ln x: x = m*2^e with m in [sqrt(1/2), sqrt(2)), ln(1+f) by a degree-9 polynomial (Cephes). */
        KILN_MATH float kiln_log(float x) {
            int subnormal = x < 1.17549435e-38f;
            float scaled = x * 8388608.0f;
            kiln_bits b; b.f = subnormal ? scaled : x;
            float e = (float)(((b.i >> 23) & 0xff) - 126) - (subnormal ? 23.0f : 0.0f);
            b.i = (b.i & 0x007fffff) | 0x3f000000;
            int low = b.f < 0.707106781f;
            float doubled = b.f + b.f;
            float f = (low ? doubled : b.f) - 1.0f;
            e = e - (low ? 1.0f : 0.0f);
            float z = f * f;
            float y = ((((((((7.0376836292e-2f * f - 1.1514610310e-1f) * f + 1.1676998740e-1f) * f
                - 1.2420140846e-1f) * f + 1.4249322787e-1f) * f - 1.6668057665e-1f) * f + 2.0000714765e-1f) * f
                - 2.4999993993e-1f) * f + 3.3333331174e-1f) * f * z;
            y = y + e * -2.12194440e-4f - 0.5f * z;
            float result = (f + y) + e * 0.693359375f;
            result = x == KILN_INFINITY ? x : result;
            return x > 0.0f ? result : (x == 0.0f ? -KILN_INFINITY : KILN_NAN);
        }

        /* ln(1 + x), accurate near 0: ln(u) * x / (u - 1) with u = 1 + x rounded (Goldberg). */
        KILN_MATH float kiln_log1p(float x) {
            float u = 1.0f + x;
            float d = u - 1.0f;
            float scaled = kiln_log(u) * (x / (d == 0.0f ? 1.0f : d));
            scaled = u == KILN_INFINITY ? u : scaled;
            return d == 0.0f ? x : scaled;
        }

        /* tanh: an odd polynomial for |x| < 0.625 (Cephes), 1 - 2/(e^2|x| + 1) with the sign elsewhere. */
        KILN_MATH float kiln_tanh(float x) {
            float z = x * x;
            float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
            float a = x < 0.0f ? -x : x;
            float large = 1.0f - 2.0f / (kiln_exp(a + a) + 1.0f);
            large = x < 0.0f ? -large : large;
            return a < 0.625f ? small : large;
        }

        /* 1/(1 + e^-x) from w = e^-|x|, which never overflows: 1/(1 + w) for x >= 0, w/(1 + w) below. */
        KILN_MATH float kiln_sigmoid(float x) {
            float w = kiln_exp(x < 0.0f ? x : -x);
            return (x < 0.0f ? w : 1.0f) / (1.0f + w);
        }

        /* erfc(z) for z >= 0 with z^2 = square_hi + square_lo (square_hi exact): t*e^(-z^2 + P(t)),
           t = 2/(2 + z) (Numerical Recipes' erfcc), the exponent summed in two parts. */
        KILN_MATH float kiln_erfc_positive(float z, float square_hi, float square_lo) {
            float t = 2.0f / (2.0f + z);
            float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
                + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
            return t * kiln_exp_sum(-square_hi, p - square_lo);
        }

        /* x = hi + lo with hi keeping the top 12 bits of the significand, so that hi*hi is exact. */
        KILN_MATH float kiln_split_high(float x) { kiln_bits b; b.f = x; b.i &= (int)0xfffff000; return b.f; }

        KILN_MATH float kiln_erfc(float x) {
            float z = x < 0.0f ? -x : x;
            z = z > 20.0f ? 20.0f : z;
            float h = kiln_split_high(z), l = z - h;
            float e = kiln_erfc_positive(z, h * h, l * (z + h));
            e = z != z ? z : e;
            float complement = 2.0f - e;
            return x < 0.0f ? complement : e;
        }

        /* erf: an odd polynomial for |x| <= 1 (Cephes), 1 - erfc(|x|) with the sign elsewhere. */
        KILN_MATH float kiln_erf(float x) {
            float z = x * x;
            float small = x * ((((((7.853861353153693e-5f * z - 8.010193625184903e-4f) * z + 5.188327685732524e-3f) * z
                - 2.685381193529856e-2f) * z + 1.128358514861418e-1f) * z - 3.761262582423300e-1f) * z + 1.128379165726710f);
            float large = 1.0f - kiln_erfc(x < 0.0f ? -x : x);
            large = x < 0.0f ? -large : large;
            return ((x <= 1.0f) & (x >= -1.0f)) ? small : large;
        }

        /* GELU, x*Phi(x) = x - N for x > 0 and -N otherwise, with N = a*Phi(-a), a = |x|: one path for both signs.
           Phi(-a) = t/2 * e^(-a^2/2 + P(t)) with t = 1/(1 + 0.45a/sqrt 2) (a fit of degree 7, as in Numerical
           Recipes' erfcc); a^2 is split exactly (fmaf where the machine fuses, else 12-bit halves), since
           e^(-a^2/2) magnifies its rounding error by a^2/2. Twice the exponent is reduced by n*2ln2 and the
           polynomial of e^(r/2) carries 2^-9: 1/2 for Phi and 2^-8 so that 2^(n+8) is a normal float wherever
           the result is (n+8 below -127 gives exactly 0, beyond a = 14 too). |x| is clamped on its bits (an
           integer min, which gcc does not split into two paths as it does a float select); x = -inf gives
           inf*0 = NaN like the reference. Within 1e-6 of the float64 reference. */
        KILN_MATH float kiln_gelu(float x) {
            int positive = x > 0.0f;
            kiln_bits m; m.f = x; m.i &= 0x7fffffff;
            float a = m.f;
            m.i = m.i < 0x41600000 ? m.i : 0x41600000;
            float c = m.f;
            float u = positive ? c : a;
            float t = 1.0f / (1.0f + 0.318198052f * c);
            float p = ((((((-3.605529964e-01f * t + 1.721173406e+00f) * t - 2.940579892e+00f) * t + 1.890376449e+00f) * t
                - 5.304924250e-01f) * t + 9.842261076e-01f) * t + 1.976356149e+00f) * t - 2.740505934e+00f;
        #if defined(__FMA__) || defined(__aarch64__)
            float square = c * c;
            float rest = p - fmaf(c, c, -square);
        #else
            float high = kiln_split_high(c), low = c - high;
            float square = high * high;
            float rest = p - low * (c + high);
        #endif
            kiln_bits n; n.f = (rest - square) * 0.721347520f + 12582912.0f;
            float k = n.f - 12582912.0f;
        #if defined(__FMA__) || defined(__aarch64__)
            float r = fmaf(k, -1.38629436f, -square) + rest;
        #else
            float r = ((-square - k * 1.38671875f) - k * -4.24388880e-4f) + rest;
        #endif
            float e = ((((5.072976137e-07f * r + 5.114619398e-06f) * r + 4.069129136e-05f) * r
                + 2.441365796e-04f) * r + 9.765625000e-04f) * r + 1.953125000e-03f;
            int biased = n.i - 0x4B400000 + 127 + 8;
            kiln_bits scale; scale.i = (biased < 0 ? 0 : biased) << 23;
            float tail = ((u * t) * scale.f) * e;
            return (positive ? x : 0.0f) - tail;
        }

        /* The tanh form of GELU, x/2 * (1 + tanh(u)) = x*sigmoid(2u), which does not cancel for negative x;
           2u in double and split in two floats, since e^-2|u| magnifies its rounding error by |2u|. */
        KILN_MATH float kiln_gelu_tanh(float x) {
            double d = x;
            double v = 1.5957691216057308 * (d + 0.044715 * d * d * d);
            double a = v < 0.0 ? v : -v;
            a = a < -200.0 ? -200.0 : a;
            float hi = (float)a, lo = (float)(a - (double)hi);
            float w = kiln_exp_sum(hi, lo);
            return x * ((v < 0.0 ? w : 1.0f) / (1.0f + w));
        }

        /* ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|). */
        KILN_MATH float kiln_softplus(float x) {
            float a = x < 0.0f ? -x : x;
            return (x > 0.0f ? x : 0.0f) + kiln_log1p(kiln_exp(-a));
        }

        /* ln x for x > 0 in double: x = m*2^e with m in [sqrt(1/2), sqrt(2)), 2*atanh(s) with s = (m-1)/(m+1). */
        KILN_MATH double kiln_log_double(double x) {
            kiln_bits64 b; b.d = x;
            double e = (double)(((b.i >> 52) & 0x7ff) - 1023);
            b.i = (b.i & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
            int high = b.d > 1.4142135623730951;
            double m = b.d * (high ? 0.5 : 1.0);
            e = e + (high ? 1.0 : 0.0);
            double s = (m - 1.0) / (m + 1.0), z = s * s;
            double series = 1.0 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (1.0 / 13 + z * (1.0 / 15)))))));
            return e * 0.6931471805599453 + 2.0 * s * series;
        }

        /* e^y in double for |y| <= 200 (enough for any float result): n*ln2 split in two, degree-12 Taylor polynomial. */
        KILN_MATH double kiln_exp_double(double y) {
            y = y > 200.0 ? 200.0 : y;
            y = y < -200.0 ? -200.0 : y;
            kiln_bits64 t; t.d = y * 1.4426950408889634 + 6755399441055744.0;
            double n = t.d - 6755399441055744.0;
            long long k = t.i - 0x4338000000000000LL;
            double r = (y - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
            double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
                + r * (1.0 / 479001600))))))))))));
            kiln_bits64 scale; scale.i = (k + 1023) << 52;
            return p * scale.d;
        }

        /* a^b for any float a and b, with C's special cases: |a|^b as e^(b ln|a|) in double, negated for a
           negative base and an odd integer exponent, NaN for a negative finite base and a non-integer one. */
        KILN_MATH float kiln_pow(float a, float b) {
            double exponent = b, signed_base = a;
            double base = signed_base;
            base = base < 0.0 ? -base : base;
            double l = kiln_log_double(base);
            l = base == 0.0 ? -(double)KILN_INFINITY : l;
            l = base == (double)KILN_INFINITY ? base : l;
            double product = exponent * l;
            double magnitude = kiln_exp_double(l == 0.0 ? 0.0 : product);
            double bounded = ((exponent < 1e15) & (exponent > -1e15)) ? exponent : 0.0;
            double rounded = (bounded + 6755399441055744.0) - 6755399441055744.0;
            double half = bounded * 0.5;
            int odd = (rounded == bounded) & (((half + 6755399441055744.0) - 6755399441055744.0) != half);
            kiln_bits sign; sign.f = a;
            int negative = sign.i < 0;
            double signed_magnitude = (negative & odd) ? -magnitude : magnitude;
            float result = (float)signed_magnitude, nearest_integer = (float)rounded;
            result = ((a < 0.0f) & (a > -KILN_INFINITY) & (b != nearest_integer) & (b < 1e15f) & (b > -1e15f)) ? KILN_NAN : result;
            result = ((a != a) | (b != b)) ? KILN_NAN : result;
            return ((b == 0.0f) | (a == 1.0f)) ? 1.0f : result;
        }

        /* x*2/pi reduced to [-2, 2] quarter turns exactly for any float x: 2/pi in 24-bit pieces, each
           product exact in double and reduced mod 4 on its own, then summed. Returns the quadrant in
           *quadrant and the angle in [-pi/4, pi/4]. */
        KILN_MATH double kiln_reduce_quarter_turns(float x, int *quadrant) {
            static const double pieces[8] = {
                10680707.0 / 16777216.0, 7228996.0 / 281474976710656.0, 1387004.0 / 4722366482869645213696.0,
                2578385.0 / 79228162514264337593543950336.0, 16069853.0 / 1329227995784915872903807060280344576.0,
                12639074.0 / 22300745198530623141535718272648361505980416.0,
                9804092.0 / 374144419156711147060143317175368453031918731001856.0,
                4427841.0 / 6277101735386680763835789423207666416102355444464034512896.0 };
            double sum = 0.0;
            for (int i = 0; i < 8; i++) {
                double product = (double)x * pieces[i];
                double turns = (product * 0.25 + 6755399441055744.0) - 6755399441055744.0;
                sum += product - 4.0 * turns;
            }
            kiln_bits64 t; t.d = sum + 6755399441055744.0;
            double n = t.d - 6755399441055744.0;
            *quadrant = (int)(t.i & 3);
            return (sum - n) * 1.5707963267948966;
        }

        KILN_MATH double kiln_sin_poly(double a) {
            double z = a * a;
            return a + a * z * (-1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 + z * (-1.0 / 39916800 + z * (1.0 / 6227020800.0))))));
        }

        KILN_MATH double kiln_cos_poly(double a) {
            double z = a * a;
            return 1.0 + z * (-0.5 + z * (1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320 + z * (-1.0 / 3628800 + z * (1.0 / 479001600.0))))));
        }

        /* sin and cos for any float x: exact reduction, then the polynomial of the quadrant. */
        KILN_MATH float kiln_sin(float x) {
            int q; double a = kiln_reduce_quarter_turns(x, &q);
            double s = kiln_sin_poly(a), c = kiln_cos_poly(a);
            double v = (q & 1) ? c : s;
            return (float)((q & 2) ? -v : v);
        }

        KILN_MATH float kiln_cos(float x) {
            int q; double a = kiln_reduce_quarter_turns(x, &q);
            double s = kiln_sin_poly(a), c = kiln_cos_poly(a);
            double v = (q & 1) ? s : c;
            return (float)(((q + 1) & 2) ? -v : v);
        }
        #endif
        """
}
