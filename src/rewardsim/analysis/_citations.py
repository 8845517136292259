"""Bibliography for the endpoint library.

Trial papers are cited as in CTNote's vignette bibliography
(``vignettes/bib/Brandt_Opioids.bib`` in github.com/CTN-0094/CTNote); DOIs are
the ones recorded there. The cocaine-trial and method references were checked
against their publishers' records when this module was written.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Citation", "CITATIONS"]


@dataclass(frozen=True)
class Citation:
    """A literature reference: who, when, what, where."""

    key: str
    authors: str
    year: int
    title: str
    journal: str
    doi: str | None = None

    @property
    def short(self) -> str:
        """``"Ling et al., 1998"``-style label."""
        first = self.authors.split(",")[0].split(" ")[0]
        return f"{first}{' et al.' if ',' in self.authors else ''}, {self.year}"

    def __str__(self) -> str:
        doi = f" doi:{self.doi}" if self.doi else ""
        return f"{self.authors} ({self.year}). {self.title}. {self.journal}.{doi}"


def _c(key: str, authors: str, year: int, title: str, journal: str, doi: str | None) -> Citation:
    return Citation(key, authors, year, title, journal, doi)


# fmt: off
_ALL = [
    _c("comer_2006", "Comer SD, Sullivan MA, Yu E, et al.", 2006,
       "Injectable, sustained-release naltrexone for the treatment of opioid dependence: a "
       "randomized, placebo-controlled trial",
       "Arch Gen Psychiatry 63(2):210-218", "10.1001/archpsyc.63.2.210"),
    _c("eissenberg_1997", "Eissenberg T, Bigelow GE, Strain EC, et al.", 1997,
       "Dose-related efficacy of levomethadyl acetate for treatment of opioid dependence: a "
       "randomized clinical trial",
       "JAMA 277(24):1945-1951", "10.1001/jama.1997.03540480045037"),
    _c("fiellin_2006", "Fiellin DA, Pantalon MV, Chawarski MC, et al.", 2006,
       "Counseling plus buprenorphine-naloxone maintenance therapy for opioid dependence",
       "N Engl J Med 355(4):365-374", "10.1056/NEJMoa055255"),
    _c("fudala_2003", "Fudala PJ, Bridge TP, Herbert S, et al.", 2003,
       "Office-based treatment of opiate addiction with a sublingual-tablet formulation of "
       "buprenorphine and naloxone",
       "N Engl J Med 349(10):949-958", "10.1056/NEJMoa022164"),
    _c("haight_2019", "Haight BR, Learned SM, Laffont CM, et al.", 2019,
       "Efficacy and safety of a monthly buprenorphine depot injection for opioid use disorder: "
       "a multicentre, randomised, double-blind, placebo-controlled, phase 3 trial",
       "Lancet 393(10173):778-790", "10.1016/S0140-6736(18)32259-1"),
    _c("jaffe_1972", "Jaffe JH, Senay EC, Schuster CR, et al.", 1972,
       "Methadyl acetate vs methadone: a double-blind study in heroin users",
       "JAMA 222(4):437-442", "10.1001/jama.1972.03210040013004"),
    _c("johnson_1992", "Johnson RE, Jaffe JH, Fudala PJ", 1992,
       "A controlled trial of buprenorphine treatment for opioid dependence",
       "JAMA 267(20):2750-2755", "10.1001/jama.1992.03480200058024"),
    _c("kosten_1993", "Kosten TR, Schottenfeld R, Ziedonis D, Falcioni J", 1993,
       "Buprenorphine versus methadone maintenance for opioid dependence",
       "J Nerv Ment Dis 181(6):358-364", "10.1097/00005053-199306000-00004"),
    _c("krupitsky_2004", "Krupitsky EM, Zvartau EE, Masalov DV, et al.", 2004,
       "Naltrexone for heroin dependence treatment in St. Petersburg, Russia",
       "J Subst Abuse Treat 26(4):285-294", "10.1016/j.jsat.2004.02.002"),
    _c("krupitsky_2006", "Krupitsky EM, Zvartau EE, Masalov DV, et al.", 2006,
       "Naltrexone with or without fluoxetine for preventing relapse to heroin addiction in St. "
       "Petersburg, Russia",
       "J Subst Abuse Treat 31(4):319-328", "10.1016/j.jsat.2006.05.005"),
    _c("krupitsky_2011", "Krupitsky E, Nunes EV, Ling W, et al.", 2011,
       "Injectable extended-release naltrexone for opioid dependence: a double-blind, placebo-"
       "controlled, multicentre randomised trial",
       "Lancet 377(9776):1506-1513", "10.1016/S0140-6736(11)60358-9"),
    _c("lee_2016", "Lee JD, Friedmann PD, Kinlock TW, et al.", 2016,
       "Extended-release naltrexone to prevent opioid relapse in criminal justice offenders",
       "N Engl J Med 374(13):1232-1242", "10.1056/NEJMoa1505409"),
    _c("lee_2018", "Lee JD, Nunes EV, Novo P, et al.", 2018,
       "Comparative effectiveness of extended-release naltrexone versus buprenorphine-naloxone "
       "for opioid relapse prevention (X:BOT): a multicentre, open-label, randomised controlled "
       "trial",
       "Lancet 391(10118):309-318", "10.1016/S0140-6736(17)32812-X"),
    _c("ling_1976", "Ling W, Charuvastra VC, Kaim SC, Klett CJ", 1976,
       "Methadyl acetate and methadone as maintenance treatments for heroin addicts: a Veterans "
       "Administration cooperative study",
       "Arch Gen Psychiatry 33(6):709-720", "10.1001/archpsyc.1976.01770060043007"),
    _c("ling_1998", "Ling W, Charuvastra C, Collins JF, et al.", 1998,
       "Buprenorphine maintenance treatment of opiate dependence: a multicenter, randomized "
       "clinical trial",
       "Addiction 93(4):475-486", "10.1046/j.1360-0443.1998.9344753.x"),
    _c("ling_2010", "Ling W, Casadonte P, Bigelow G, et al.", 2010,
       "Buprenorphine implants for treatment of opioid dependence: a randomized controlled trial",
       "JAMA 304(14):1576-1583", "10.1001/jama.2010.1427"),
    _c("lofwall_2018", "Lofwall MR, Walsh SL, Nunes EV, et al.", 2018,
       "Weekly and monthly subcutaneous buprenorphine depot formulations vs daily sublingual "
       "buprenorphine with naloxone for treatment of opioid use disorder: a randomized clinical "
       "trial",
       "JAMA Intern Med 178(6):764-773", "10.1001/jamainternmed.2018.1052"),
    _c("mattick_2003", "Mattick RP, Ali R, White JM, et al.", 2003,
       "Buprenorphine versus methadone maintenance therapy: a randomized double-blind trial with"
       " 405 opioid-dependent patients",
       "Addiction 98(4):441-452", "10.1046/j.1360-0443.2003.00335.x"),
    _c("mokri_2016", "Mokri A, Chawarski MC, Taherinakhost H, Schottenfeld RS", 2016,
       "Medical treatments for opioid use disorder in Iran: a randomized, double-blind placebo-"
       "controlled comparison of buprenorphine/naloxone and naltrexone maintenance treatment",
       "Addiction 111(5):874-882", "10.1111/add.13259"),
    _c("pani_2000", "Pani PP, Maremmani I, Pirastu R, Tagliamonte A, Gessa GL", 2000,
       "Buprenorphine: a controlled clinical trial in the treatment of opioid dependence",
       "Drug Alcohol Depend 60(1):39-50", "10.1016/S0376-8716(00)80006-X"),
    _c("petitjean_2001", "Petitjean S, Stohler R, Deglon JJ, et al.", 2001,
       "Double-blind randomized trial of buprenorphine and methadone in opiate dependence",
       "Drug Alcohol Depend 62(1):97-104", "10.1016/S0376-8716(00)00163-0"),
    _c("preston_2000", "Preston KL, Umbricht A, Epstein DH", 2000,
       "Methadone dose increase and abstinence reinforcement for treatment of continued heroin "
       "use during methadone maintenance",
       "Arch Gen Psychiatry 57(4):395-404", "10.1001/archpsyc.57.4.395"),
    _c("schottenfeld_2005", "Schottenfeld RS, Chawarski MC, Pakes JR, et al.", 2005,
       "Methadone versus buprenorphine with contingency management or performance feedback for "
       "cocaine and opioid dependence",
       "Am J Psychiatry 162(2):340-349", "10.1176/appi.ajp.162.2.340"),
    _c("schottenfeld_2008", "Schottenfeld RS, Chawarski MC, Mazlan M", 2008,
       "Maintenance treatment with buprenorphine and naltrexone for heroin dependence in "
       "Malaysia: a randomised, double-blind, placebo-controlled trial",
       "Lancet 371(9631):2192-2200", "10.1016/S0140-6736(08)60954-X"),
    _c("schwartz_2006", "Schwartz RP, Highfield DA, Jaffe JH, et al.", 2006,
       "A randomized controlled trial of interim methadone maintenance",
       "Arch Gen Psychiatry 63(1):102-109", "10.1001/archpsyc.63.1.102"),
    _c("shufman_1994", "Shufman EN, Porat S, Witztum E, et al.", 1994,
       "The efficacy of naltrexone in preventing reabuse of heroin after detoxification",
       "Biol Psychiatry 35(12):935-945", "10.1016/0006-3223(94)91240-8"),
    _c("soyka_2008", "Soyka M, Zingg C, Koller G, Kuefner H", 2008,
       "Retention rate and substance use in methadone and buprenorphine maintenance therapy and "
       "predictors of outcome: results from a randomized study",
       "Int J Neuropsychopharmacol 11(5):641-653", "10.1017/S146114570700836X"),
    _c("strain_1993", "Strain EC, Stitzer ML, Liebson IA, Bigelow GE", 1993,
       "Dose-response effects of methadone in the treatment of opioid dependence",
       "Ann Intern Med 119(1):23-27", "10.7326/0003-4819-119-1-199307010-00004"),
    _c("strain_1994", "Strain EC, Stitzer ML, Liebson IA, Bigelow GE", 1994,
       "Comparison of buprenorphine and methadone in the treatment of opioid dependence",
       "Am J Psychiatry 151(7):1025-1030", "10.1176/ajp.151.7.1025"),
    _c("strain_1996", "Strain EC, Stitzer ML, Liebson IA, Bigelow GE", 1996,
       "Buprenorphine versus methadone in the treatment of opioid dependence: self-reports, "
       "urinalysis, and Addiction Severity Index",
       "J Clin Psychopharmacol 16(1):58-67", "10.1097/00004714-199602000-00010"),
    _c("strain_1999", "Strain EC, Bigelow GE, Liebson IA, Stitzer ML", 1999,
       "Moderate- vs high-dose methadone in the treatment of opioid dependence: a randomized "
       "trial",
       "JAMA 281(11):1000-1005", "10.1001/jama.281.11.1000"),
    _c("strang_2010", "Strang J, Metrebian N, Lintzeris N, et al.", 2010,
       "Supervised injectable heroin or injectable methadone versus optimised oral methadone as "
       "treatment for chronic heroin addicts in England after persistent failure in orthodox "
       "treatment (RIOTT): a randomised trial",
       "Lancet 375(9729):1885-1895", "10.1016/S0140-6736(10)60349-2"),
    _c("strang_2019", "Strang J, Kelleher M, Mayet S, et al.", 2019,
       "Extended-release naltrexone versus standard oral naltrexone versus placebo for opioid "
       "use disorder: the NEAT three-arm RCT",
       "Health Technol Assess 23(3):1-72", "10.3310/hta23030"),
    _c("tanum_2017", "Tanum L, Solli KK, Latif ZE, et al.", 2017,
       "Effectiveness of injectable extended-release naltrexone vs daily buprenorphine-naloxone "
       "for opioid dependence: a randomized clinical noninferiority trial",
       "JAMA Psychiatry 74(12):1197-1205", "10.1001/jamapsychiatry.2017.3206"),
    _c("weiss_2011", "Weiss RD, Potter JS, Fiellin DA, et al.", 2011,
       "Adjunctive counseling during brief and extended buprenorphine-naloxone treatment for "
       "prescription opioid dependence: a 2-phase randomized controlled trial",
       "Arch Gen Psychiatry 68(12):1238-1246", "10.1001/archgenpsychiatry.2011.121"),
    _c("wolstein_2009", "Wolstein J, Gastpar M, Finkbeiner T, et al.", 2009,
       "A randomized, open-label trial comparing methadone and levo-alpha-acetylmethadol (LAAM) "
       "in maintenance treatment of opioid addiction",
       "Pharmacopsychiatry 42(1):1-8", "10.1055/s-0028-1083818"),
    _c("woody_2008", "Woody GE, Poole SA, Subramaniam G, et al.", 2008,
       "Extended vs short-term buprenorphine-naloxone for treatment of opioid-addicted youth: a "
       "randomized trial",
       "JAMA 300(17)", "10.1001/jama.2008.574"),
    _c("zaks_1972", "Zaks A, Fink M, Freedman AM", 1972,
       "Levomethadyl in maintenance treatment of opiate dependence",
       "JAMA 220(6):811-813", "10.1001/jama.1972.03200060039005"),
    _c("odom_2023", "Odom GJ, Brandt L, Castro C, Luo SX, Feaster DJ, Balise RR", 2023,
       "Capturing drug use patterns at a glance: an n-ary word sufficient statistic for repeated"
       " univariate categorical values",
       "PLOS ONE 18(10):e0291248", "10.1371/journal.pone.0291248"),
    _c("ling_1997", "Ling W, Shoptaw S, Wesson D, Rawson RA, Compton M, Klett CJ", 1997,
       "Treatment effectiveness score as an outcome measure in clinical trials",
       "NIDA Research Monograph (Medications development for the treatment of cocaine dependence)",
       None),
    _c("carroll_2014", "Carroll KM, Kiluk BD, Nich C, et al.", 2014,
       "Toward empirical identification of a clinically meaningful indicator of treatment "
       "outcome: features of candidate indicators and evaluation of sensitivity to treatment "
       "effects and relationship to one year follow up cocaine use outcomes",
       "Drug Alcohol Depend", "10.1016/j.drugalcdep.2014.01.012"),
    _c("donovan_2012", "Donovan DM, Bigelow GE, Brigham GS, et al.", 2012,
       "Primary outcome indices in illicit drug dependence treatment research: systematic "
       "approach to selection and measurement of drug use end-points in clinical trials",
       "Addiction 107(4):694-708", "10.1111/j.1360-0443.2011.03473.x"),
]
# fmt: on

#: All references, by key.
CITATIONS: dict[str, Citation] = {c.key: c for c in _ALL}
