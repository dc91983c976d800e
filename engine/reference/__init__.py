"""Reference data shipped with the package: INSEE communes of the Code officiel géographique 2018
(`communes-2018.csv`) and the current communes (`communes-2026.csv`: COG 2026 with populations
and EPCI, INSEE and Etalab via @etalab/decoupage-administratif 6.0.0, Licence Ouverte)."""
