//! Fonts and text shaping for invoices: script runs, rustybuzz shaping, measuring and wrapping.
//!
//! Noto Sans covers Latin, digits and most currency signs (₹, $, €, £); Noto Sans Devanagari
//! covers Devanagari. Each piece of text is split into runs by script and every run is shaped
//! with the face that covers it, so conjuncts, reordered matras and reph come out right.
//! The fonts are SIL OFL 1.1 (`src/server/fonts/OFL.txt`) and are compiled into the binary.

use std::ops::Range;
use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};

static NOTO_SANS_REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
static NOTO_SANS_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
static NOTO_DEVANAGARI_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf");
static NOTO_DEVANAGARI_BOLD: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf");

/// Parsed once per process; rendering only reads them.
pub(super) static FONTS: LazyLock<Fonts> = LazyLock::new(Fonts::load);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// Which face family a character is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Noto Sans: Latin, Greek, Cyrillic, digits, punctuation, currency signs.
    Latin,
    /// Noto Sans Devanagari.
    Devanagari,
}

pub(super) struct Face {
    shaper: rustybuzz::Face<'static>,
    /// Building a plan is the slow part of shaping (most of all for Indic scripts), so each face
    /// has one, made once, for the script it is used for.
    plan: rustybuzz::ShapePlan,
    script: rustybuzz::Script,
    pub(super) pdf: Font,
    units_per_em: f32,
}

impl Face {
    /// Panics only if a bundled font is corrupt, which the tests would catch first.
    fn load(data: &'static [u8], script: rustybuzz::Script) -> Face {
        let shaper = rustybuzz::Face::from_slice(data, 0).expect("bundled font parses");
        let plan = rustybuzz::ShapePlan::new(
            &shaper,
            rustybuzz::Direction::LeftToRight,
            Some(script),
            None,
            &[],
        );
        let units_per_em = shaper.units_per_em() as f32;
        let pdf = Font::new(data.into(), 0).expect("bundled font parses");
        Face {
            shaper,
            plan,
            script,
            pdf,
            units_per_em,
        }
    }
}

pub(super) struct Fonts {
    /// Indexed by [`Fonts::index`].
    pub(super) faces: [Face; 4],
}

impl Fonts {
    fn load() -> Fonts {
        Fonts {
            faces: [
                Face::load(NOTO_SANS_REGULAR, rustybuzz::script::LATIN),
                Face::load(NOTO_SANS_BOLD, rustybuzz::script::LATIN),
                Face::load(NOTO_DEVANAGARI_REGULAR, rustybuzz::script::DEVANAGARI),
                Face::load(NOTO_DEVANAGARI_BOLD, rustybuzz::script::DEVANAGARI),
            ],
        }
    }

    fn index(family: Family, weight: Weight) -> usize {
        match (family, weight) {
            (Family::Latin, Weight::Regular) => 0,
            (Family::Latin, Weight::Bold) => 1,
            (Family::Devanagari, Weight::Regular) => 2,
            (Family::Devanagari, Weight::Bold) => 3,
        }
    }

    /// The family for one character, or `None` for characters that belong to whatever run they
    /// are in (spaces, joiners, combining marks).
    fn family_of(&self, c: char) -> Option<Family> {
        match c {
            '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}' | '\u{1CD0}'..='\u{1CFF}' => {
                Some(Family::Devanagari)
            }
            c if c.is_whitespace() => None,
            '\u{200B}'..='\u{200D}' | '\u{0300}'..='\u{036F}' | '\u{FE00}'..='\u{FE0F}' => None,
            c if self.faces[0].shaper.glyph_index(c).is_some() => Some(Family::Latin),
            c if self.faces[2].shaper.glyph_index(c).is_some() => Some(Family::Devanagari),
            // Nobody has it: Noto Sans draws its .notdef box.
            _ => Some(Family::Latin),
        }
    }

    /// Splits `text` into runs that are each drawn with one face: (face index, byte range).
    fn itemize(&self, text: &str, weight: Weight) -> Vec<(usize, Range<usize>)> {
        let leading = text
            .chars()
            .find_map(|c| self.family_of(c))
            .unwrap_or(Family::Latin);
        let mut runs: Vec<(usize, Range<usize>)> = Vec::new();
        let mut current = leading;
        for (i, c) in text.char_indices() {
            current = self.family_of(c).unwrap_or(current);
            let face = Fonts::index(current, weight);
            let end = i + c.len_utf8();
            match runs.last_mut() {
                Some((f, range)) if *f == face => range.end = end,
                _ => runs.push((face, i..end)),
            }
        }
        runs
    }

    /// Shapes one line of text (no wrapping) at `size` points.
    pub(super) fn shape(&self, text: &str, weight: Weight, size: f32) -> ShapedLine {
        let mut runs = Vec::new();
        let mut width = 0.0;
        for (face_index, range) in self.itemize(text, weight) {
            let run = self.shape_run(face_index, &text[range.clone()], range.start, size);
            width += run.width;
            runs.push(run);
        }
        ShapedLine { runs, size, width }
    }

    fn shape_run(&self, face_index: usize, text: &str, offset: usize, size: f32) -> Run {
        let face = &self.faces[face_index];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        // Script and direction must match the plan (a debug assertion checks). Digits, spaces
        // and punctuation in a run are shaped as the run's script, which is what we want.
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.set_script(face.script);
        let output = rustybuzz::shape_with_plan(&face.shaper, &face.plan, buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let upem = face.units_per_em;

        let mut glyphs = Vec::with_capacity(infos.len());
        let mut advance = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            // Clusters are byte offsets of characters in `text`, and left to right they never
            // decrease: a cluster ends where the next one starts. krilla slices `text` with
            // these ranges, so they are clamped to stay valid whatever the shaper does.
            let start = (info.cluster as usize).min(text.len());
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&c| c != start)
                .filter(|&c| c > start && text.is_char_boundary(c))
                .unwrap_or(text.len());
            let x_advance = pos.x_advance as f32 / upem;
            advance += x_advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                x_advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end,
                None,
            ));
        }
        Run {
            face: face_index,
            text: text.to_owned(),
            offset,
            glyphs,
            width: advance * size,
        }
    }

    pub(super) fn measure(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.shape(text, weight, size).width
    }

    /// The longest prefix of `text` that fits in `max_width`, as a byte index at a cluster
    /// boundary (never inside a conjunct or between a consonant and its matra). At least one
    /// cluster, so callers always make progress.
    fn fit_prefix(&self, text: &str, weight: Weight, size: f32, max_width: f32) -> usize {
        let shaped = self.shape(text, weight, size);
        let mut best = None;
        let mut x = 0.0;
        let mut last_start = None;
        for run in &shaped.runs {
            for glyph in &run.glyphs {
                let start = run.offset + glyph.text_range.start;
                if last_start != Some(start) {
                    // A new cluster starts here; everything before it is `x` wide.
                    if start > 0 && x <= max_width {
                        best = Some(start);
                    }
                    last_start = Some(start);
                }
                x += glyph.x_advance * size;
            }
        }
        if x <= max_width {
            return text.len();
        }
        best.filter(|&i| text.is_char_boundary(i))
            .unwrap_or_else(|| {
                // Not even one cluster fits: take the first character anyway.
                text.char_indices().nth(1).map_or(text.len(), |(i, _)| i)
            })
    }

    /// Breaks `text` into lines no wider than `max_width`: at spaces, inside a word only where
    /// the word alone is too wide, and at most `max_lines` lines, the last ending in "…" if text
    /// was left out. `\n` in `text` forces a break.
    pub(super) fn wrap(
        &self,
        text: &str,
        weight: Weight,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<ShapedLine> {
        // Text past what the lines could ever show is cut off first (and marked with "…"), so
        // shaping takes bounded time whatever the input.
        let text = text.trim_start();
        let (text, cut_short) = match text
            .char_indices()
            .nth(char_budget(size, max_width, max_lines))
        {
            Some((i, _)) => (&text[..i], true),
            None => (text, false),
        };
        let space = self.measure(" ", weight, size);
        let mut lines: Vec<String> = Vec::new();
        'paragraphs: for paragraph in text.split('\n') {
            let mut current = String::new();
            let mut current_w = 0.0;
            for word in paragraph.split_whitespace() {
                if lines.len() > max_lines {
                    break 'paragraphs;
                }
                // Words are measured one by one (shaping never joins across a space), so each
                // character is shaped about twice in all, not once per candidate line.
                let word_w = self.measure(word, weight, size);
                if current.is_empty() && word_w <= max_width {
                    current.push_str(word);
                    current_w = word_w;
                    continue;
                }
                if !current.is_empty() && current_w + space + word_w <= max_width {
                    current.push(' ');
                    current.push_str(word);
                    current_w += space + word_w;
                    continue;
                }
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                }
                // A word wider than a whole line is cut between clusters.
                let mut rest = word;
                let mut rest_w = word_w;
                while lines.len() <= max_lines && rest_w > max_width {
                    let cut = self.fit_prefix(rest, weight, size, max_width);
                    lines.push(rest[..cut].to_owned());
                    rest = &rest[cut..];
                    rest_w = self.measure(rest, weight, size);
                }
                current = rest.to_owned();
                current_w = rest_w;
            }
            if !current.is_empty() {
                lines.push(current);
            }
            if lines.len() > max_lines {
                break;
            }
        }
        if lines.len() > max_lines || cut_short {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                let room = max_width - self.measure("…", weight, size);
                let cut = self.fit_prefix(last, weight, size, room.max(0.0));
                *last = format!("{}…", last[..cut].trim_end());
            }
        }
        lines
            .iter()
            .map(|line| self.shape(line, weight, size))
            .collect()
    }
}

/// Every glyph that shows anything is wider than this, in ems (Noto Sans "i" and "l" are about
/// 0.25 em).
const NARROWEST_GLYPH: f32 = 0.2;

/// The most characters `max_lines` lines `max_width` wide can show at `size`.
pub(super) fn char_budget(size: f32, max_width: f32, max_lines: usize) -> usize {
    let per_line = (max_width / (size * NARROWEST_GLYPH)).max(0.0) as usize + 1;
    per_line.saturating_mul(max_lines.max(1))
}

/// One line of text, shaped and ready to draw.
#[derive(Clone, Debug)]
pub(super) struct ShapedLine {
    pub(super) runs: Vec<Run>,
    pub(super) size: f32,
    /// In points.
    pub(super) width: f32,
}

/// Consecutive glyphs drawn with one face.
#[derive(Clone, Debug)]
pub(super) struct Run {
    pub(super) face: usize,
    /// The run's own text; glyph text ranges index into it (krilla uses them for ToUnicode).
    pub(super) text: String,
    /// Where the run starts in the line's text.
    offset: usize,
    /// Advances and offsets in ems, as krilla expects.
    pub(super) glyphs: Vec<KrillaGlyph>,
    /// In points.
    pub(super) width: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[ShapedLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn runs_follow_scripts() {
        let runs = FONTS.itemize("चाय मसाला 50g ₹10", Weight::Regular);
        let faces: Vec<usize> = runs.iter().map(|r| r.0).collect();
        assert_eq!(faces, vec![2, 0]);
        assert_eq!(&"चाय मसाला 50g ₹10"[runs[0].1.clone()], "चाय मसाला ");
    }

    #[test]
    fn devanagari_is_shaped_not_mapped_char_by_char() {
        // क्ष is one conjunct glyph, and ि is drawn before its consonant: fewer glyphs than chars.
        let line = FONTS.shape("क्षत्रिय", Weight::Regular, 10.0);
        let glyphs: Vec<&KrillaGlyph> = line.runs.iter().flat_map(|r| &r.glyphs).collect();
        assert!(
            glyphs.len() < "क्षत्रिय".chars().count(),
            "{} glyphs",
            glyphs.len()
        );
        assert!(
            glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
            "no .notdef"
        );
    }

    #[test]
    fn wrapped_lines_fit_and_long_text_ends_in_an_ellipsis() {
        let text = "Extra long product name ".repeat(20);
        let lines = FONTS.wrap(&text, Weight::Regular, 9.0, 150.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.width <= 150.0));
        assert!(texts(&lines)[2].ends_with('…'));

        let word = "x".repeat(300);
        let lines = FONTS.wrap(&word, Weight::Regular, 9.0, 100.0, 100);
        assert!(lines.len() > 1 && lines.iter().all(|l| l.width <= 100.0));
        assert_eq!(texts(&lines).concat(), word);
    }

    #[test]
    fn words_break_inside_devanagari_only_between_clusters() {
        let word = "क्षत्रियप्रिंटर्स".repeat(6);
        let lines = texts(&FONTS.wrap(&word, Weight::Regular, 9.0, 60.0, 100));
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), word);
        for line in &lines {
            // No line starts with a vowel sign, virama or nukta that belongs to the line above.
            let first = line.chars().next();
            assert!(
                !matches!(
                    first,
                    Some('\u{093A}'..='\u{094F}' | '\u{0901}'..='\u{0903}')
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn text_longer_than_the_lines_can_show_is_cut_off_with_an_ellipsis() {
        let text = "\u{200B}".repeat(100_000) + "hidden";
        let lines = texts(&FONTS.wrap(&text, Weight::Regular, 9.0, 100.0, 2));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with('…') && !lines[0].contains("hidden"));
        let lines =
            texts(&FONTS.wrap(&("\n".repeat(10_000) + "x"), Weight::Regular, 9.0, 100.0, 2));
        assert_eq!(lines, vec!["x"]);
    }

    #[test]
    fn glyph_text_ranges_stay_inside_their_run() {
        let text = "a\u{0301}\u{0301} क़्\u{200D}ष \u{202E}שלום مرحبا\u{202C} 👍🏽 \u{FFFF}";
        for run in FONTS.shape(text, Weight::Bold, 9.0).runs {
            for glyph in &run.glyphs {
                assert!(run.text.get(glyph.text_range.clone()).is_some(), "{run:?}");
            }
        }
    }
}
