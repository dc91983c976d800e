"""The territory: current communes with their population and EPCI, codes merged since 2018
mapped onto today's communes, and the per-commune split of an action's amounts."""
