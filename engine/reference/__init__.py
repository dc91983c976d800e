"""Reference data shipped with the package: INSEE communes of the Code officiel géographique 2018
(`communes-2018.csv`) and the current communes (`communes-2026.csv`: COG 2026 with populations
and EPCI, INSEE and Etalab via @etalab/decoupage-administratif 6.0.0, Licence Ouverte).

`scdl-subventions-2.1.1.schema.json` is the Table Schema of the SCDL « Subventions » 2.1.1
(OpenDataFrance, gitlab.com/opendatafrance/scdl/subventions, published on schema.data.gouv.fr),
which the open-data file (engine/services/opendata.py) follows. Rebuilt from its published
documentation (schema.data.gouv.fr `scdl/subventions/2.1.1/documentation.md`: every field, type,
pattern and constraint) on the layout of the published 2.0.x `schema.json`, because the 2.1.1
file itself was not at hand; its `custom_checks` (SIRET keys, SIRET or RNA) are Validata's,
which frictionless ignores, so the tests check them apart."""
