//! A monotone map from byte offsets in a derived (normalised) text to byte
//! offsets in the text it came from.

/// Breakpoints `(derived, source)`: from each breakpoint on, offsets advance
/// one for one until the next breakpoint.
///
/// Builders push a breakpoint at the start of every derived character whose
/// source position is not implied by the previous breakpoint, so only changed
/// characters (and the character after each change) cost memory.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    points: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn new() -> Self {
        OffsetMap {
            points: vec![(0, 0)],
        }
    }

    /// Record that derived offset `derived` corresponds to source offset `source`.
    /// Calls must come in increasing `derived` order with non-decreasing `source`.
    pub fn push(&mut self, derived: usize, source: usize) {
        if let Some(&(d, s)) = self.points.last() {
            if derived >= d && source >= s && source - s == derived - d {
                return; // already implied by the previous breakpoint
            }
            if d == derived {
                self.points.pop();
            }
        }
        self.points.push((derived, source));
    }

    /// The source offset of the character starting at derived offset `derived`.
    pub fn to_source(&self, derived: usize) -> usize {
        let i = self.points.partition_point(|&(d, _)| d <= derived);
        match i.checked_sub(1).and_then(|i| self.points.get(i)) {
            Some(&(d, s)) => s + (derived - d),
            None => derived,
        }
    }

    pub fn breakpoints(&self) -> &[(usize, usize)] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_map_needs_one_breakpoint() {
        let mut m = OffsetMap::new();
        for i in 0..10 {
            m.push(i, i);
        }
        assert_eq!(m.breakpoints(), &[(0, 0)]);
        assert_eq!(m.to_source(7), 7);
    }

    #[test]
    fn a_shrunk_character_shifts_everything_after_it() {
        // "a，b" (， is 3 bytes) -> "a,b"
        let mut m = OffsetMap::new();
        m.push(0, 0);
        m.push(1, 1);
        m.push(2, 4);
        m.push(3, 5); // end
        assert_eq!(m.to_source(0), 0);
        assert_eq!(m.to_source(1), 1);
        assert_eq!(m.to_source(2), 4);
        assert_eq!(m.to_source(3), 5);
        assert_eq!(m.breakpoints(), &[(0, 0), (2, 4)]);
    }

    #[test]
    fn dropped_leading_characters_replace_the_origin() {
        // "**x" -> "x"
        let mut m = OffsetMap::new();
        m.push(0, 2);
        m.push(1, 3);
        assert_eq!(m.breakpoints(), &[(0, 2)]);
        assert_eq!(m.to_source(0), 2);
        assert_eq!(m.to_source(1), 3);
    }

    #[test]
    fn an_empty_map_is_the_identity() {
        let m = OffsetMap::default();
        assert_eq!(m.to_source(5), 5);
    }
}
