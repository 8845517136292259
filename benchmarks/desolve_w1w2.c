/* W1 and W2 of benchmarks/like_for_like.py as compiled models for deSolve (lsoda).
 *
 * Built by desolve_w1w2.R with `R CMD SHLIB` and run with
 *   lsoda(y, times, func = "w1_derivs", initfunc = "w1_init", dllname = "desolve_w1w2",
 *         parms = c(KA, CL, V), nout = 1, ...)
 * (W2: "w2_derivs", "w2_init", parms = c(KA, VMAX, KM, V2, Q, V3)). The output CP is the
 * concentration in the central compartment. Doses are deSolve events added to DEPOT.
 * The equations are those of rewardsim's pk1cmt and pk2cmt_mm (and of mrgsolve_w1w2.R).
 */
#include <R.h>

static double w1[3];
static double w2[6];

void w1_init(void (*odeparms)(int *, double *))
{
    int n = 3;
    odeparms(&n, w1);
}

void w2_init(void (*odeparms)(int *, double *))
{
    int n = 6;
    odeparms(&n, w2);
}

/* W1, pk1cmt: states DEPOT, CENT (mg); parameters KA (1/h), CL (L/h), V (L). */
void w1_derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip)
{
    const double ka = w1[0], k = w1[1] / w1[2];
    ydot[0] = -ka * y[0];
    ydot[1] = ka * y[0] - k * y[1];
    if (ip[0] > 0) yout[0] = y[1] / w1[2];
}

/* W2, pk2cmt_mm: states DEPOT, CENT, PERIPH (mg); parameters KA (1/h), VMAX (mg/h),
 * KM (mg/L), V2 (L), Q (L/h), V3 (L). */
void w2_derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip)
{
    const double ka = w2[0], vmax = w2[1], km = w2[2], v2 = w2[3], q = w2[4], v3 = w2[5];
    const double cp = y[1] / v2;
    ydot[0] = -ka * y[0];
    ydot[1] = ka * y[0] - vmax * cp / (km + cp) - q / v2 * y[1] + q / v3 * y[2];
    ydot[2] = q / v2 * y[1] - q / v3 * y[2];
    if (ip[0] > 0) yout[0] = cp;
}
