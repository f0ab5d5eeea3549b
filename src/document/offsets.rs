//! A monotone map from byte offsets in a derived (normalised) text to byte
//! offsets in the text it came from.

/// Breakpoints `(derived, source)`: from each breakpoint on, offsets advance
/// one for one until the next breakpoint.
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
        if i == 0 {
            return derived;
        }
        let (d, s) = self.points[i - 1];
        s + (derived - d)
    }

    pub fn breakpoints(&self) -> &[(usize, usize)] {
        &self.points
    }
}
