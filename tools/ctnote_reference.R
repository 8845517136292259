#!/usr/bin/env Rscript
# Reference values for rewardsim's CTNote endpoints, computed by CTNote itself.
#
# CTNote (Odom, Brandt, Balise, Bouzoubaa; GPL-3) defines each endpoint as R code in
# its three "library" vignettes (abstinence, relapse, reduction); the package exports
# only the building blocks. This script runs those vignettes' code chunks unchanged,
# with CTNote installed from the same checkout, on the CTN-0094 opioid use-pattern words
# shipped with rewardsim, and writes one row per participant and one column per
# endpoint, joined as CTNote's inst/scripts/create_outcomes_table_20220818.R does.
#
# Usage (R >= 4.1 with dplyr, tidyr, stringr, tibble; CTNote installed from CTNOTE_DIR
# with `R CMD INSTALL CTNOTE_DIR`):
#   Rscript tools/ctnote_reference.R CTNOTE_DIR WORDS_CSV OUT_CSV
# e.g.
#   Rscript tools/ctnote_reference.R ../CTNote \
#     src/rewardsim/data/ctn0094/use_patterns_opioid.csv \
#     tests/analysis/data/ctnote_reference_ctn0094.csv
#
# Only chunks that compute endpoints are run: chunks marked include=FALSE or
# eval=FALSE (package loading, the definitions spreadsheet, CSV writing) and the
# table-display chunk are skipped, and the vignettes' data source
# `CTNote::outcomesCTN0094` (whose words are the same 3,560 words) is replaced by
# the words read from WORDS_CSV. Nothing else in the chunks is changed.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  stop("usage: Rscript ctnote_reference.R CTNOTE_DIR WORDS_CSV OUT_CSV", call. = FALSE)
}
ctnote_dir <- args[[1]]
words_csv <- args[[2]]
out_csv <- args[[3]]

suppressPackageStartupMessages({
  library(CTNote)
  library(dplyr)
  library(tidyr)
  library(stringr)
  library(tibble)
})

words_df <- read.csv(words_csv, colClasses = c(who = "integer", usePatternUDS = "character"))
stopifnot(!anyDuplicated(words_df$who))

chunks <- function(rmd) {
  lines <- readLines(rmd, warn = FALSE)
  starts <- grep("^```\\{r", lines)
  ends <- grep("^```\\s*$", lines)
  code <- list()
  for (s in starts) {
    header <- lines[[s]]
    e <- min(ends[ends > s])
    if (grepl("include\\s*=\\s*FALSE|eval\\s*=\\s*FALSE|show-table-one", header)) next
    body <- lines[seq.int(s + 1, length.out = e - s - 1)]
    body <- gsub("CTNote::outcomesCTN0094", "words_df", body, fixed = TRUE)
    code[[length(code) + 1]] <- paste(body, collapse = "\n")
  }
  code
}

run_vignette <- function(rmd, result) {
  env <- new.env(parent = globalenv())
  env$words_df <- tibble::as_tibble(words_df)
  env$defns_char <- character(0)  # definitions text: only shown in the vignette prose
  for (chunk in chunks(file.path(ctnote_dir, "vignettes", rmd))) {
    # Printing the example rows is the vignette's display; evaluate quietly.
    invisible(capture.output(suppressWarnings(eval(parse(text = chunk), envir = env))))
  }
  get(result, envir = env)
}

abs_df <- run_vignette("library_abstinence_20220711.Rmd", "outcomesAbs_df")
red_df <- run_vignette("library_reduction_20220630.Rmd", "outcomesRed_df")
rel_df <- run_vignette("library_relapse_20220711.Rmd", "outcomesRel_df")

out <- abs_df %>%
  left_join(select(red_df, -usePatternUDS), by = "who") %>%
  left_join(select(rel_df, -usePatternUDS), by = "who") %>%
  ungroup() %>%
  arrange(who)
out <- as.data.frame(out)
stopifnot(nrow(out) == nrow(words_df))

# Full precision: 17 significant digits round-trip every double.
for (col in names(out)) {
  if (is.double(out[[col]])) {
    out[[col]] <- ifelse(is.na(out[[col]]), NA, sprintf("%.17g", out[[col]]))
  }
}
write.csv(out, out_csv, row.names = FALSE, quote = FALSE, na = "NA")
cat(sprintf("CTNote %s: %d participants x %d endpoint columns -> %s\n",
            as.character(packageVersion("CTNote")), nrow(out), ncol(out) - 2, out_csv))
