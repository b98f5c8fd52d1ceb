//! One coach for every stretch: picks the single prompt to show (safety > set-up > form > guidance),
//! and decides when it is spoken so that the same words are not repeated within a few seconds.

use serde::Serialize;

use crate::exercise::definition::{Category, Kind};
use crate::exercise::judge::PhaseState;
use crate::exercise::{Exercise, Judgement};

/// The same prompt is not spoken again within this many seconds.
pub const REPEAT_AFTER: f64 = 6.0;
/// For this long after a stretch starts, its seed cautions ("move slowly", "stop if it hurts") take the
/// place of guidance (never of a fault).
pub const CAUTION_FOR: f64 = 4.0;
const CAUTION_ID: &str = "caution-";
/// Shown, and spoken once, when a session starts.
pub const SAFETY_NOTE: &str = "Move slowly and gently, and stop if you feel any pain. If you have chronic or severe lower back pain, see a doctor or physical therapist.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Safety,
    Setup,
    Form,
    Guide,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prompt {
    /// Stable identity (a fault id or a guidance kind), for repetition rules and clients.
    pub id: String,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub prompt: Option<Prompt>,
    /// Say it now (new, or a lasting fault not said for [`REPEAT_AFTER`] seconds).
    pub speak: bool,
}

#[derive(Default)]
pub struct Coach {
    last_spoken: Vec<(String, f64)>,
    current: Option<String>,
    shown: Option<Prompt>,
    /// When each stretch was first judged with somebody in view.
    started: Vec<(String, f64)>,
    /// Stretches whose caution has been shown and then given way to another prompt: it is not shown again
    /// (the terminal prints each new prompt, and a caution coming back reads as said twice).
    cautioned: Vec<String>,
    spoken_count: u32,
}

impl Coach {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn spoken_count(&self) -> u32 {
        self.spoken_count
    }

    pub fn advise(&mut self, ex: &Exercise, j: &Judgement) -> Advice {
        let mut prompt = choose(ex, j);
        let started = match self.started.iter().find(|(id, _)| *id == ex.id) {
            Some((_, t)) => Some(*t),
            None if j.person => {
                self.started.push((ex.id.clone(), j.t));
                Some(j.t)
            }
            None => None,
        };
        let intro = started.is_some_and(|s| j.t - s < CAUTION_FOR)
            && !ex.cautions.is_empty()
            && !self.cautioned.contains(&ex.id);
        if intro && prompt.as_ref().is_some_and(|p| p.level == Level::Guide) {
            let text = format!("{}: {}", ex.name, ex.cautions.join(" "));
            prompt = Some(Prompt { id: format!("{CAUTION_ID}{}", ex.id), level: Level::Guide, text });
        }
        // A fault not yet told (still within its persistence time) earns no praise: keep what was shown.
        if j.failing && prompt.as_ref().is_some_and(|p| p.level == Level::Guide) {
            if let Some(shown) = &self.shown {
                prompt = Some(shown.clone());
            }
        }
        let speak = match &prompt {
            None => false,
            Some(p) => {
                let last = self.last_spoken.iter().find(|(id, _)| *id == p.id).map(|(_, t)| *t);
                let changed = self.current.as_deref() != Some(p.id.as_str());
                // A stretch's caution is said once, when it starts, however often the stretch is resumed.
                let due = last.is_none_or(|t| j.t - t >= REPEAT_AFTER && !p.id.starts_with(CAUTION_ID));
                // Guidance (countdowns) is said when it changes, never nagged; faults are repeated when due.
                (changed || p.level < Level::Guide) && due
            }
        };
        if speak {
            let p = prompt.as_ref().expect("speak implies a prompt");
            self.last_spoken.retain(|(id, _)| *id != p.id);
            self.last_spoken.push((p.id.clone(), j.t));
            self.spoken_count += 1;
        }
        let caution = format!("{CAUTION_ID}{}", ex.id);
        if self.current.as_deref() == Some(caution.as_str()) && prompt.as_ref().is_none_or(|p| p.id != caution) {
            self.cautioned.push(ex.id.clone());
        }
        self.current = prompt.as_ref().map(|p| p.id.clone());
        self.shown = prompt.clone();
        Advice { prompt, speak }
    }
}

fn choose(ex: &Exercise, j: &Judgement) -> Option<Prompt> {
    let p = |id: &str, level, text: String| Some(Prompt { id: id.into(), level, text });
    if !j.person {
        return p("no-person", Level::Setup, "I can't see you. Move into view of the camera".into());
    }
    if !j.in_frame {
        let text = match ex.view {
            crate::exercise::definition::CameraView::Side => "Step back so I can see all of you, side-on to the camera",
            _ => "Step back so I can see all of you",
        };
        return p("not-in-frame", Level::Setup, text.into());
    }
    if let Some(f) = j.faults.first() {
        let level = match f.category {
            Category::Safety => Level::Safety,
            Category::Setup => Level::Setup,
            Category::Form => Level::Form,
        };
        return p(&f.id, level, f.prompt.clone());
    }
    let guide = |id: &str, text: String| p(id, Level::Guide, text);
    // Once, as the person rests after a rep that had a fault in it: why it did not count.
    if let (Some(fault), Some(PhaseState::Down)) = (&j.not_counted, j.phase) {
        return guide(
            &format!("not-counted-{}", j.faulty_reps),
            format!("That one didn't count: {}", fault_words(fault)),
        );
    }
    // Per-side stretches: progress is the working side's; a finished side asks for the other.
    let (reps, hold_done_for) = match j.side_progress() {
        Some(sp) => {
            let sides = j.sides.unwrap_or_default();
            if sides.iter().all(|s| s.done) {
                return guide("done", "Both sides done. Well done, come out of the stretch slowly".into());
            }
            if sp.done {
                return guide("switch-sides", "That side is done. Now switch sides".into());
            }
            (sp.reps, if ex.kind == Kind::Hold { sp.held } else { j.hold_progress })
        }
        None => (j.reps, j.hold_progress),
    };
    let hold = ex.hold_seconds.unwrap_or(0.0) as f64;
    let left = (hold - hold_done_for).ceil().max(0.0);
    let countdown = |left: f64| match left as u32 {
        1 => "Good, hold it, 1 second left".to_string(),
        n => format!("Good, hold it, {n} seconds left"),
    };
    let target = ex.rep_target.unwrap_or(0);
    if j.returning && j.phase == Some(PhaseState::Up) {
        return match (ex.kind, &ex.phase) {
            (Kind::Reps, Some(phase)) => {
                guide("release", phase.release.clone().unwrap_or_else(|| "Good. Now release slowly".into()))
            }
            _ => guide("done", "Well done. Come out of the stretch slowly".into()),
        };
    }
    match (ex.kind, j.phase, &ex.phase) {
        (Kind::Reps, Some(PhaseState::Down), Some(_)) if reps >= target => {
            guide("done", format!("That's {target} reps. Well done, rest now"))
        }
        (Kind::Reps, _, Some(phase)) if hold == 0.0 => match &phase.halfway {
            // Continuous movements (cat-cow, circles): count aloud, turn round halfway.
            Some(h) if target >= 2 && reps >= target / 2 && reps < target / 2 + 1 => guide("halfway", h.clone()),
            _ => guide(&format!("count-{reps}"), format!("{} ({reps} of {target})", phase.cue)),
        },
        (Kind::Reps, Some(PhaseState::Down), Some(phase)) => {
            guide("cue", format!("{} (rep {} of {target})", phase.cue, reps + 1))
        }
        (Kind::Reps, Some(PhaseState::Up), Some(phase)) if left <= 0.0 => {
            guide("release", phase.release.clone().unwrap_or_else(|| "Good. Now release slowly".into()))
        }
        (Kind::Hold, Some(PhaseState::Down), Some(phase)) => guide("cue", phase.cue.clone()),
        _ if left > 0.0 => guide("hold", countdown(left)),
        _ => guide("done", "Well done. Come out of the stretch slowly".into()),
    }
}

/// A fault id as words: "hips-low" -> "hips low".
pub fn fault_words(id: &str) -> String {
    id.replace('-', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::judge::Judgement;

    fn judgement(ex: &Exercise, t: f64, person: bool) -> Judgement {
        Judgement {
            t,
            exercise: ex.id.clone(),
            person,
            in_frame: true,
            side: None,
            phase: Some(PhaseState::Down),
            returning: false,
            measures: Default::default(),
            faults: Vec::new(),
            failing: false,
            reps: 0,
            faulty_reps: 0,
            not_counted: None,
            held: 0.0,
            hold_progress: 0.0,
            sides: None,
            checks: Vec::new(),
        }
    }

    #[test]
    fn a_stretchs_caution_is_said_once_however_often_it_comes_back() {
        let bridge = crate::exercise::built_in().into_iter().find(|e| e.id == "bridge").unwrap();
        let mut coach = Coach::new();
        let (mut shown, mut spoken, mut last) = (0, 0, String::new());
        // In view, out of view, back again, over and over within the first seconds (and again much later).
        for i in 0..300 {
            let t = i as f64 / 30.0;
            let person = (i / 20) % 2 == 0;
            let advice = coach.advise(&bridge, &judgement(&bridge, t, person));
            let id = advice.prompt.as_ref().map(|p| p.id.clone()).unwrap_or_default();
            if id.starts_with(CAUTION_ID) {
                shown += (id != last) as u32;
                spoken += advice.speak as u32;
            }
            last = id;
        }
        assert_eq!((shown, spoken), (1, 1));
    }

    #[test]
    fn on_the_way_out_the_coach_says_how_to_come_out_not_a_countdown() {
        let bridge = crate::exercise::built_in().into_iter().find(|e| e.id == "bridge").unwrap();
        let mut coach = Coach::new();
        coach.advise(&bridge, &judgement(&bridge, 0.0, true)); // the caution, first
        let mut j = judgement(&bridge, 10.0, true);
        (j.phase, j.returning) = (Some(PhaseState::Up), true);
        let advice = coach.advise(&bridge, &j);
        assert_eq!(advice.prompt.unwrap().text, "Good. Now lower your hips slowly");
    }

    fn fault(id: &str, category: Category) -> crate::exercise::judge::Fault {
        crate::exercise::judge::Fault {
            id: id.into(),
            check: id.into(),
            category,
            priority: 5,
            prompt: format!("fix {id}"),
            since: 0.0,
        }
    }

    /// A coach that has shown the stretch's opening caution and moved on (its time is over at `t`).
    fn past_the_caution(ex: &Exercise) -> Coach {
        let mut coach = Coach::new();
        coach.advise(ex, &judgement(ex, 0.0, true));
        coach
    }

    #[test]
    fn the_person_first_then_the_frame_then_the_first_fault() {
        let lift = crate::exercise::fixtures::lift();
        let mut coach = past_the_caution(&lift);
        let mut j = judgement(&lift, 10.0, true);
        j.faults = vec![fault("too-fast", Category::Safety), fault("hips-low", Category::Form)];
        let shown = |coach: &mut Coach, j: &Judgement| coach.advise(&lift, j).prompt.map(|p| (p.id, p.level));
        assert_eq!(shown(&mut coach, &j), Some(("too-fast".into(), Level::Safety)));
        j.in_frame = false;
        assert_eq!(shown(&mut coach, &j), Some(("not-in-frame".into(), Level::Setup)));
        j.person = false;
        assert_eq!(shown(&mut coach, &j), Some(("no-person".into(), Level::Setup)));
        (j.person, j.in_frame, j.faults) = (true, true, vec![fault("hips-low", Category::Form)]);
        assert_eq!(shown(&mut coach, &j), Some(("hips-low".into(), Level::Form)));
    }

    #[test]
    fn a_lasting_fault_is_said_again_only_every_repeat_after_seconds() {
        let lift = crate::exercise::fixtures::lift();
        let mut coach = past_the_caution(&lift);
        let mut said = Vec::new();
        for i in 0..600 {
            let t = 10.0 + i as f64 / 30.0; // 20 s of the same fault
            let mut j = judgement(&lift, t, true);
            j.faults = vec![fault("hips-low", Category::Form)];
            if coach.advise(&lift, &j).speak {
                said.push(t - 10.0);
            }
        }
        let gaps: Vec<f64> = said.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(said.len(), 4, "said at {said:?}");
        assert!(gaps.iter().all(|g| (REPEAT_AFTER..REPEAT_AFTER + 0.05).contains(g)), "{gaps:?}");
    }

    #[test]
    fn guidance_is_said_when_it_changes_never_nagged() {
        let lift = crate::exercise::fixtures::lift();
        let mut coach = Coach::new();
        // Resting for 20 s: the cue is shown throughout and said once, at first.
        let rest: Vec<Advice> =
            (0..600).map(|i| coach.advise(&lift, &judgement(&lift, i as f64 / 30.0, true))).collect();
        assert!(rest.iter().all(|a| a.prompt.as_ref().is_some_and(|p| p.id == "cue" && p.level == Level::Guide)));
        assert_eq!(rest.iter().map(|a| a.speak).collect::<Vec<_>>(), [vec![true], vec![false; 599]].concat());
        // Up and holding: the new guidance is said when it comes.
        let mut j = judgement(&lift, 20.0, true);
        j.phase = Some(PhaseState::Up);
        let advice = coach.advise(&lift, &j);
        assert_eq!(advice.prompt.map(|p| p.id), Some("hold".into()));
        assert!(advice.speak);
    }

    #[test]
    fn a_fault_not_yet_told_earns_no_praise() {
        let lift = crate::exercise::fixtures::lift();
        let mut coach = past_the_caution(&lift);
        let mut j = judgement(&lift, 10.0, true);
        j.faults = vec![fault("hips-low", Category::Form)];
        coach.advise(&lift, &j);
        // The fault cleared but another check is failing, not yet long enough to tell: the fault stays up
        // rather than "good, hold it".
        let mut j = judgement(&lift, 10.1, true);
        (j.phase, j.failing) = (Some(PhaseState::Up), true);
        assert_eq!(coach.advise(&lift, &j).prompt.map(|p| p.id), Some("hips-low".into()));
        // Nothing failing: guidance again.
        j.failing = false;
        assert_eq!(coach.advise(&lift, &j).prompt.map(|p| p.level), Some(Level::Guide));
    }
}
