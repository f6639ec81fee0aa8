//! Small line charts as hand-written SVG, rendered on the server: readable
//! without JavaScript, styled by `app.css` through classes, and labelled for
//! screen readers with `<title>` and `<desc>`.

use std::fmt::Write;

/// Escapes text for SVG/HTML content and attribute values.
pub fn esc(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub struct Series {
    pub name: String,
    /// One value per x position; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
    /// A CSS class for the colour: `mine` or `partner`.
    pub class: &'static str,
}

pub struct Chart {
    /// A unique id within the page (for `aria-labelledby`).
    pub id: &'static str,
    pub title: String,
    /// The text summary, also given to screen readers.
    pub desc: String,
    pub x_labels: Vec<String>,
    pub y_min: f64,
    pub y_max: f64,
    pub y_ticks: Vec<f64>,
    /// A band drawn from `y_min` up to this value, with its label.
    pub band_below: Option<(f64, String)>,
    pub series: Vec<Series>,
}

const W: f64 = 340.0;
const H: f64 = 200.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 46.0;

impl Chart {
    fn x(&self, i: usize) -> f64 {
        let n = self.x_labels.len().max(1);
        let inner = W - LEFT - RIGHT;
        if n == 1 {
            LEFT + inner / 2.0
        } else {
            LEFT + inner * (i as f64) / ((n - 1) as f64)
        }
    }

    fn y(&self, v: f64) -> f64 {
        let span = (self.y_max - self.y_min).max(f64::EPSILON);
        let inner = H - TOP - BOTTOM;
        TOP + inner * (1.0 - (v.clamp(self.y_min, self.y_max) - self.y_min) / span)
    }

    pub fn render(&self) -> String {
        let id = self.id;
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
             xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            esc(&self.title),
            esc(&self.desc)
        );
        if let Some((limit, label)) = &self.band_below {
            let top = self.y(*limit);
            let bottom = self.y(self.y_min);
            let _ = write!(
                s,
                "<rect class=\"band\" x=\"{LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f6dada\"/>\
                 <text class=\"band-label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#8a2b2b\">{}</text>",
                W - LEFT - RIGHT,
                bottom - top,
                LEFT + 4.0,
                bottom - 4.0,
                esc(label)
            );
        }
        for t in &self.y_ticks {
            let y = self.y(*t);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4ded6\"/>\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\" fill=\"#6b635b\">{}</text>",
                W - RIGHT,
                LEFT - 4.0,
                y + 3.0,
                trim_num(*t)
            );
        }
        let step = (self.x_labels.len() / 5).max(1);
        for (i, label) in self.x_labels.iter().enumerate() {
            if i % step != 0 && i + 1 != self.x_labels.len() {
                continue;
            }
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#6b635b\">{}</text>",
                self.x(i),
                H - BOTTOM + 14.0,
                esc(label)
            );
        }
        for (k, series) in self.series.iter().enumerate() {
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (i, v) in series.values.iter().enumerate() {
                match v {
                    Some(v) => run.push((self.x(i), self.y(*v))),
                    None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                    None => {}
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            let class = series.class;
            let _ = write!(
                s,
                "<g class=\"series {class}\" data-series=\"{}\">",
                esc(&series.name)
            );
            for r in &runs {
                if r.len() > 1 {
                    let pts: Vec<String> =
                        r.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    let _ = write!(
                        s,
                        "<polyline fill=\"none\" stroke-width=\"2\" points=\"{}\"/>",
                        pts.join(" ")
                    );
                }
                for (x, y) in r {
                    let _ = write!(s, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>");
                }
            }
            s.push_str("</g>");
            // Legend below the axis.
            let lx = LEFT + (k as f64) * 130.0;
            let ly = H - 12.0;
            let _ = write!(
                s,
                "<g class=\"legend {class}\"><rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\"/>\
                 <text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"10\" fill=\"#2b2622\">{}</text></g>",
                ly - 9.0,
                lx + 14.0,
                esc(&series.name)
            );
        }
        s.push_str("</svg>");
        s
    }
}

fn trim_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_names_and_carry_a_title_and_description() {
        let c = Chart {
            id: "csi",
            title: "CSI-4 <over time>".into(),
            desc: "Two check-ins".into(),
            x_labels: vec!["1 Mar".into(), "8 Mar".into()],
            y_min: 0.0,
            y_max: 21.0,
            y_ticks: vec![0.0, 13.5, 21.0],
            band_below: Some((13.5, "below 13.5".into())),
            series: vec![Series {
                name: "<script>".into(),
                values: vec![Some(12.0), None],
                class: "mine",
            }],
        };
        let svg = c.render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"csi-title\">CSI-4 &lt;over time&gt;</title>"));
        assert!(svg.contains("<desc id=\"csi-desc\">Two check-ins</desc>"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("class=\"band\""));
        assert!(svg.contains("13.5"));
    }
}
