# One date style for every Khmer page: "៣០ វិច្ឆិកា ២០២៦ ម៉ោង ១៩:៣៤" (the digits are made
# Khmer by the `when` filter, core.numerals).
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y ម៉ោង H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y ម៉ោង H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
