"""Reference data shipped with the package (INSEE communes, Code officiel géographique 2018)."""
