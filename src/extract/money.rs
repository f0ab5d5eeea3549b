use super::Money;
use std::ops::Range;

pub(crate) fn find_money(_text: &str, _blanks: &[Range<usize>]) -> Vec<Money> {
    Vec::new()
}
