use super::Date;
use std::ops::Range;

pub(crate) fn find_dates(_text: &str, _blanks: &[Range<usize>]) -> Vec<Date> {
    Vec::new()
}
