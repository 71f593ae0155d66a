"""JavaScript semantics as Truto's runtime has them: JS values and Dates, Luxon, lodash."""
