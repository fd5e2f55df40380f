"""Research panels: unit-year tables of the designations for staggered difference-in-differences (issue 23).

``units``    the units of each year (prefecture or county level) from the division history, and where a
             unit of one year is among another year's
``held``     the designations a panel is made of: read from designations.csv rows
``columns``  the panel's columns, defined once: names, types, labels, value labels
``grid``     the unit-year rows
``formats``  CSV + CSVW, a codebook, and (with pandas and pyarrow) a DataFrame, Parquet and Stata .dta
"""
