# W1/W2 with deSolve, for benchmarks/like_for_like.py (which writes the inputs and reads
# the outputs). Usage:
#   Rscript desolve_w1w2.R MODEL PARAMS.csv RTOL ATOL REPEATS OUT_PREFIX
# MODEL: w1_ode or w2_ode (the compiled C models of desolve_w1w2.c, solved by lsoda), or
# w1_closed (deSolve has no closed form: the one-compartment solution advanced from record
# to record in base R, vectorised over subjects). PARAMS.csv: one row per subject (ID and
# the individual parameters rewardsim used). Every subject gets 20 mg every 8 h, 336 doses
# into the depot (times F1); CP is recorded hourly from 0 to 2688 h.
# Writes OUT_PREFIX.json (wall and CPU seconds of each timed run of the whole population,
# after one untimed run) and OUT_PREFIX.csv (CP of the first 50 subjects, one row each).
suppressPackageStartupMessages(library(deSolve))
args <- commandArgs(trailingOnly = TRUE)
model <- args[1]
idata <- read.csv(args[2])
rtol <- as.numeric(args[3])
atol <- as.numeric(args[4])
repeats <- as.integer(args[5])
out <- args[6]

times <- seq(0, 2688, by = 1)
dose_times <- seq(0, by = 8, length.out = 336)
dose <- 20
n <- nrow(idata)

# Closed form of pk1cmt (first-order absorption, one compartment) from one output time
# to the next, all subjects at once; a dose is added to the depot after the record at
# its time. As NONMEM's ADVAN2 or mrgsolve's $PKMODEL, it takes any record times, not
# only a regular grid (KA = CL/V, which these parameters never give, is not handled).
w1_closed <- function() {
  ka <- idata$KA
  k <- idata$CL / idata$V
  v <- idata$V
  fd <- idata$F1 * dose
  gain <- ka / (ka - k)
  is_dose <- times %in% dose_times
  cp <- matrix(0, n, length(times))
  depot <- numeric(n)
  cent <- numeric(n)
  for (j in seq_along(times)) {
    if (j > 1) {
      dt <- times[j] - times[j - 1]
      ea <- exp(-ka * dt)
      ek <- exp(-k * dt)
      cent <- cent * ek + depot * gain * (ek - ea)
      depot <- depot * ea
    }
    cp[, j] <- cent / v
    if (is_dose[j]) depot <- depot + fd
  }
  cp
}

# Compiled C right-hand sides, lsoda (ODEPACK, with its own finite-difference Jacobian
# when it switches to BDF), each dose an event adding F1 x 20 mg to the depot (the
# integrator restarts there). hmax = Inf: no cap on the step, as mrgsolve's default
# (deSolve's own default caps it at the largest gap between output times, 1 h here).
# ties = "ordered" tells deSolve the doses are sorted and distinct; without it every call
# runs aggregate() over the 336 events in R, about 20 ms a subject, twice the integration.
ode_setup <- function(name) {
  build <- dirname(out)
  src <- file.path(build, "desolve_w1w2.c")
  file.copy(file.path(script_dir(), "desolve_w1w2.c"), src, overwrite = TRUE)
  so <- file.path(build, paste0("desolve_w1w2", .Platform$dynlib.ext))
  if (!file.exists(so)) {
    status <- system2(file.path(R.home("bin"), "R"), c("CMD", "SHLIB", "-o", shQuote(so),
                                                        shQuote(src)), stdout = FALSE)
    if (status != 0) stop("R CMD SHLIB desolve_w1w2.c failed")
  }
  dyn.load(so)
  pnames <- list(w1 = c("KA", "CL", "V"), w2 = c("KA", "VMAX", "KM", "V2", "Q", "V3"))[[name]]
  y0 <- list(w1 = c(DEPOT = 0, CENT = 0), w2 = c(DEPOT = 0, CENT = 0, PERIPH = 0))[[name]]
  pars <- as.matrix(idata[, pnames])
  fd <- idata$F1 * dose
  ev <- data.frame(var = 1L, time = dose_times, value = 0, method = 2L)  # add to DEPOT
  function() {
    cp <- matrix(0, n, length(times))
    for (i in seq_len(n)) {
      ev$value <- fd[i]
      sol <- lsoda(y0, times, func = paste0(name, "_derivs"), parms = pars[i, ],
                   dllname = "desolve_w1w2", initfunc = paste0(name, "_init"), nout = 1,
                   outnames = "CP", rtol = rtol, atol = atol, hmax = Inf,
                   events = list(data = ev, ties = "ordered"))
      cp[i, ] <- sol[, "CP"]
    }
    cp
  }
}

script_dir <- function() {
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  dirname(normalizePath(sub("^--file=", "", file_arg[1])))
}

run <- switch(model,
  w1_closed = w1_closed,
  w1_ode = ode_setup("w1"),
  w2_ode = ode_setup("w2"),
  stop("unknown model ", model)
)
invisible(run())  # warm-up
wall <- numeric(repeats)
cpu <- numeric(repeats)
for (k in seq_len(repeats)) {
  res <- NULL
  tm <- system.time(res <- run(), gcFirst = TRUE)
  wall[k] <- tm[["elapsed"]]
  cpu[k] <- tm[["user.self"]] + tm[["sys.self"]]
}
write.table(res[seq_len(min(50, n)), , drop = FALSE], paste0(out, ".csv"), sep = ",",
            row.names = FALSE, col.names = FALSE)
cat(sprintf('{"wall_s": [%s], "cpu_s": [%s], "version": "%s", "subjects": %d, "method": "%s"}\n',
            paste(wall, collapse = ", "), paste(cpu, collapse = ", "),
            as.character(packageVersion("deSolve")), n,
            if (model == "w1_closed") "closed form in base R, vectorised over subjects"
            else "lsoda, compiled C model, doses as events, hmax = Inf"),
    file = paste0(out, ".json"))
