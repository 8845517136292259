"""Dormand-Prince 5(4) for one subject (shared solver; models of more than 8 states).

Explicit, with dense output and a stiffness test; a subject found stiff continues with
Rodas4 (:mod:`rewardsim.engine._rodas`). Smaller models step four subjects together
(:mod:`rewardsim.engine._lanes`) with the same arithmetic, lane by lane.
"""


import numpy as np
from numba import njit

from ._fcall import F_OBS, F_RHS, addr, bits, call6, call7, from_bits
from ._rodas import start_step

# ----------------------------------------------------------------- Dormand-Prince 5(4)
# Dormand JR, Prince PJ (1980), J Comput Appl Math 6:19-26; dense output of
# Shampine LF (1986), Math Comput 46:135-150 (the coefficients SciPy's RK45 uses);
# stiffness detection of Hairer, Norsett & Wanner (1993), Solving ODEs I, IV.2
# (code DOPRI5: h*|lambda| estimated from the last two stages, stiff after
# 15 estimates above 3.25).
D_C2, D_C3, D_C4, D_C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
D_A21 = 1.0 / 5.0
D_A31, D_A32 = 3.0 / 40.0, 9.0 / 40.0
D_A41, D_A42, D_A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
D_A51, D_A52, D_A53, D_A54 = (19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0,
                              -212.0 / 729.0)
D_A61, D_A62, D_A63, D_A64, D_A65 = (9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0,
                                     49.0 / 176.0, -5103.0 / 18656.0)
D_B1, D_B3, D_B4, D_B5, D_B6 = (35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0,
                                -2187.0 / 6784.0, 11.0 / 84.0)
D_E1, D_E3, D_E4, D_E5, D_E6, D_E7 = (-71.0 / 57600.0, 71.0 / 16695.0, -71.0 / 1920.0,
                                      17253.0 / 339200.0, -22.0 / 525.0, 1.0 / 40.0)
# b_s(x) = x (P_s0 + x (P_s1 + x (P_s2 + x P_s3))); P_20..P_23 (stage 2) are all zero,
# and so is P_s0 for s > 1.
D_P10, D_P11, D_P12, D_P13 = (1.0, -8048581381.0 / 2820520608.0,
                              8663915743.0 / 2820520608.0, -12715105075.0 / 11282082432.0)
D_P31, D_P32, D_P33 = (131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0,
                       87487479700.0 / 32700410799.0)
D_P41, D_P42, D_P43 = (-1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0,
                       -10690763975.0 / 1880347072.0)
D_P51, D_P52, D_P53 = (127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0,
                       701980252875.0 / 199316789632.0)
D_P61, D_P62, D_P63 = (-282668133.0 / 205662961.0, 2019193451.0 / 616988883.0,
                       -1453857185.0 / 822651844.0)
D_P71, D_P72, D_P73 = (40617522.0 / 29380423.0, -110615467.0 / 29380423.0,
                       69997945.0 / 29380423.0)

# Step-size factor 0.9 err**(-1/5) of the order-4 error estimate, from the squared norm
# err2 = err**2: x**(-1/10) = 2**(-e/10) m**(-1/10) for x = m 2**e (math.frexp), with
# m**(-1/10) a quartic in m (relative error < 2e-5).  Only the next step size depends
# on it, never the acceptance test; it takes a third of the time of exp(-0.1 log(x)),
# which sits on the critical path from one step to the next.
_POW2_TENTHS = 2.0 ** (-0.1 * (np.arange(96) - 48.0))
_Q0, _Q1, _Q2, _Q3, _Q4 = (0.9602651871321822, -0.06396622694580437, 0.023416421219848726,
                           -0.011887624691529954, 0.006318540476419423)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def dense_weights(x):
    """Weights of k1, k3, ..., k7 in the dense output at x = (t - t_n) / h (Shampine
    1986; k2 has none)."""
    return (x * (D_P10 + x * (D_P11 + x * (D_P12 + x * D_P13))),
            x * x * (D_P31 + x * (D_P32 + x * D_P33)),
            x * x * (D_P41 + x * (D_P42 + x * D_P43)),
            x * x * (D_P51 + x * (D_P52 + x * D_P53)),
            x * x * (D_P61 + x * (D_P62 + x * D_P63)),
            x * x * (D_P71 + x * (D_P72 + x * D_P73)))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def dp_factor(err2):
    """min(10, max(0.2, 0.9 * err2**(-1/10)))."""
    x = min(max(err2, 1e-11), 1e7)
    # math.frexp(x) from the bits of x (a normal positive double here): m in [0.5, 1)
    # keeps x's mantissa under the exponent of 0.5, and e = biased exponent - 1022.
    # Exactly frexp's result, without its call into the C library (a tenth of W2's
    # time with it).
    b = bits(x)
    e = (b >> 52) - 1022
    m = from_bits((b & 0xFFFFFFFFFFFFF) | 0x3FE0000000000000)
    m = 2.0 * m - 1.5
    q = _Q0 + m * (_Q1 + m * (_Q2 + m * (_Q3 + m * _Q4)))
    return min(10.0, max(0.2, 0.9 * q * _POW2_TENTHS[e + 47]))



# Rows of the work array of dopri_advance: the seven stages, then the state, the stage
# input, the sixth stage's input u, the new state yn and an output state.
W_Y, W_Z, W_U, W_YN, W_YP = 7, 8, 9, 10, 11
N_WORK = 12


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def dopri_advance(fns, t0, t1, ya, p, d, rates, obs_t, kout, kend, out, row0, rtol, atol,
                  hstate, max_steps, nsteps, K):
    """Integrate ya from t0 to t1 (explicit, non-stiff), emitting outputs in (t0, t1).

    ``K`` is work space, (N_WORK, nx). Returns (kout, status, t): status 5 means
    stiffness was detected at time t (ya holds the solution there) and the caller should
    continue with Rodas4. hstate[0] is the step to start with (0: choose one) and
    receives the step to continue with; hstate[1] receives the step proposed after the
    first accepted step (see :func:`rewardsim.engine._solve.subject`).
    """
    if t1 <= t0:
        return kout, 0, t1
    nx = ya.shape[0]
    stride = out.shape[1]
    rhs = fns[F_RHS]
    t = t0
    span = t1 - t0
    for i in range(nx):
        K[W_Y, i] = ya[i]
    call6(rhs, t, addr(K, W_Y * nx), p, d, rates, addr(K, 0))
    h = hstate[0]
    if h <= 0.0:
        h = start_step(ya, K[0], rtol, atol, span)
    h = min(h, span)
    steps = 0
    reject = False
    first = True
    iasti = 0
    nonsti = 0
    status = 0
    while t < t1:
        if steps >= max_steps:
            status = 1
            break
        if h < 1e-14 * max(1.0, abs(t)):
            status = 2
            break
        last = False
        if t + 1.0001 * h >= t1:
            h = t1 - t
            last = True
        for i in range(nx):
            K[W_Z, i] = K[W_Y, i] + h * (D_A21 * K[0, i])
        call6(rhs, t + D_C2 * h, addr(K, W_Z * nx), p, d, rates, addr(K, nx))
        for i in range(nx):
            K[W_Z, i] = K[W_Y, i] + h * (D_A31 * K[0, i] + D_A32 * K[1, i])
        call6(rhs, t + D_C3 * h, addr(K, W_Z * nx), p, d, rates, addr(K, 2 * nx))
        for i in range(nx):
            K[W_Z, i] = K[W_Y, i] + h * (D_A41 * K[0, i] + D_A42 * K[1, i] + D_A43 * K[2, i])
        call6(rhs, t + D_C4 * h, addr(K, W_Z * nx), p, d, rates, addr(K, 3 * nx))
        for i in range(nx):
            K[W_Z, i] = K[W_Y, i] + h * (D_A51 * K[0, i] + D_A52 * K[1, i] + D_A53 * K[2, i]
                                         + D_A54 * K[3, i])
        call6(rhs, t + D_C5 * h, addr(K, W_Z * nx), p, d, rates, addr(K, 4 * nx))
        for i in range(nx):
            K[W_U, i] = K[W_Y, i] + h * (D_A61 * K[0, i] + D_A62 * K[1, i] + D_A63 * K[2, i]
                                         + D_A64 * K[3, i] + D_A65 * K[4, i])
        call6(rhs, t + h, addr(K, W_U * nx), p, d, rates, addr(K, 5 * nx))
        for i in range(nx):
            K[W_YN, i] = K[W_Y, i] + h * (D_B1 * K[0, i] + D_B3 * K[2, i] + D_B4 * K[3, i]
                                          + D_B5 * K[4, i] + D_B6 * K[5, i])
        call6(rhs, t + h, addr(K, W_YN * nx), p, d, rates, addr(K, 6 * nx))
        # Squared RMS norm of the error estimate: no square root on the path from this
        # step's error to the next step's size.
        err = 0.0
        for i in range(nx):
            e = h * (D_E1 * K[0, i] + D_E3 * K[2, i] + D_E4 * K[3, i] + D_E5 * K[4, i]
                     + D_E6 * K[5, i] + D_E7 * K[6, i])
            sc = atol + rtol * max(abs(K[W_Y, i]), abs(K[W_YN, i]))
            # Squares as products (see _rodas.start_step: x ** 2 is compiled once a
            # process, with the fast-math flags of whichever function used it first).
            q = e / sc
            err += q * q
        err = err / nx
        steps += 1
        if not (err == err) or err > 1e300:
            h *= 0.25
            reject = True
            continue
        if err <= 1.0:
            # Stiffness estimate h*|lambda| ~ h |k7 - k6| / |yn - u| > 3.25, squared.
            stnum = 0.0
            stden = 0.0
            for i in range(nx):
                dk = K[6, i] - K[5, i]
                dy = K[W_YN, i] - K[W_U, i]
                stnum += dk * dk
                stden += dy * dy
            if stden > 0.0:
                if h * h * stnum > 10.5625 * stden:
                    nonsti = 0
                    iasti += 1
                    if iasti == 15:
                        status = 5
                        break
                else:
                    nonsti += 1
                    if nonsti == 6:
                        iasti = 0
            tn = t + h
            while kout < kend and obs_t[kout] <= tn and obs_t[kout] < t1:
                x = (obs_t[kout] - t) / h
                b1, b3, b4, b5, b6, b7 = dense_weights(x)
                for i in range(nx):
                    K[W_YP, i] = K[W_Y, i] + h * (b1 * K[0, i] + b3 * K[2, i] + b4 * K[3, i]
                                                  + b5 * K[4, i] + b6 * K[5, i]
                                                  + b7 * K[6, i])
                call7(fns[F_OBS], 1, addr(obs_t, kout), addr(K, W_YP * nx), p, d,
                                  addr(out, row0 + kout), stride)
                kout += 1
            for i in range(nx):
                K[W_Y, i] = K[W_YN, i]
                K[0, i] = K[6, i]
            t = t1 if last else tn
            fac = dp_factor(err)
            if reject:
                fac = min(fac, 1.0)
            reject = False
            if first:
                hstate[1] = h * fac
                first = False
            if last:
                hstate[0] = h * fac
            else:
                h = h * fac
        else:
            h = h * min(1.0, dp_factor(err))
            reject = True
    nsteps[0] += steps
    for i in range(nx):
        ya[i] = K[W_Y, i]
    if status != 0:
        return kout, status, t
    for i in range(nx):
        if not (ya[i] == ya[i]) or abs(ya[i]) > 1e300:
            return kout, 4, t
    return kout, 0, t1
