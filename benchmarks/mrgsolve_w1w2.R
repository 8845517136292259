# W1/W2 with mrgsolve, for benchmarks/like_for_like.py (which writes the inputs and reads
# the outputs). Usage:
#   Rscript mrgsolve_w1w2.R MODEL PARAMS.csv RTOL ATOL REPEATS OUT_PREFIX
# MODEL: w1_closed ($PKMODEL, closed form), w1_ode or w2_ode (LSODA). PARAMS.csv: one row
# per subject (ID and the individual parameters rewardsim used). Every subject gets 20 mg
# every 8 h, 336 doses into the depot; CP is recorded hourly from 0 to 2688 h.
# Writes OUT_PREFIX.json (wall and CPU seconds of each timed run, after one untimed run)
# and OUT_PREFIX.csv (CP of the first 50 subjects, one row per subject).
suppressPackageStartupMessages(library(mrgsolve))
args <- commandArgs(trailingOnly = TRUE)
model <- args[1]
idata <- read.csv(args[2])
rtol <- as.numeric(args[3])
atol <- as.numeric(args[4])
repeats <- as.integer(args[5])
out <- args[6]

code <- list(
  w1_closed = '
$PARAM KA = 1.2, CL = 25, V = 50, F1 = 0.8
$PKMODEL cmt = "DEPOT CENT", depot = TRUE
$MAIN F_DEPOT = F1;
$TABLE capture CP = CENT / V;
',
  w1_ode = '
$PARAM KA = 1.2, CL = 25, V = 50, F1 = 0.8
$CMT DEPOT CENT
$MAIN F_DEPOT = F1;
$ODE
dxdt_DEPOT = -KA * DEPOT;
dxdt_CENT = KA * DEPOT - CL / V * CENT;
$TABLE capture CP = CENT / V;
',
  w2_ode = '
$PARAM VMAX = 10, KM = 2, Q = 10, V2 = 30, V3 = 60, KA = 1, F1 = 1
$CMT DEPOT CENT PERIPH
$MAIN F_DEPOT = F1;
$ODE
double CPODE = CENT / V2;
dxdt_DEPOT = -KA * DEPOT;
dxdt_CENT = KA * DEPOT - VMAX * CPODE / (KM + CPODE) - Q / V2 * CENT + Q / V3 * PERIPH;
dxdt_PERIPH = Q / V2 * CENT - Q / V3 * PERIPH;
$TABLE capture CP = CENT / V2;
'
)[[model]]

mod <- mcode(model, code, quiet = TRUE)
mod <- update(mod, rtol = rtol, atol = atol, maxsteps = 100000, end = 2688, delta = 1)
doses <- ev(amt = 20, ii = 8, addl = 335, cmt = 1)
run <- function() mrgsim_df(mod, events = doses, idata = idata, obsonly = TRUE)
invisible(run())  # warm-up
wall <- numeric(repeats)
cpu <- numeric(repeats)
for (k in seq_len(repeats)) {
  tm <- system.time(res <- run())
  wall[k] <- tm[["elapsed"]]
  cpu[k] <- tm[["user.self"]] + tm[["sys.self"]]
}
first <- res[res$ID %in% head(unique(res$ID), 50), ]
cp <- matrix(first$CP, nrow = length(unique(first$ID)), byrow = TRUE)
write.table(cp, paste0(out, ".csv"), sep = ",", row.names = FALSE, col.names = FALSE)
cat(sprintf('{"wall_s": [%s], "cpu_s": [%s], "mrgsolve": "%s", "subjects": %d}\n',
            paste(wall, collapse = ", "), paste(cpu, collapse = ", "),
            as.character(packageVersion("mrgsolve")), nrow(idata)),
    file = paste0(out, ".json"))
