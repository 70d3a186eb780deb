import fc from 'fast-check';
import { assert } from '../helpers/counted-assert';
import type { AssessmentAnomaly, AssessmentSubmission } from '../../lib/core/types';
import { detectAssessmentAnomalies, evaluateAssessment, toBaselineSample, tooFastThresholdSec } from '../../lib/detection/assessment-anomaly';
import { type BaselineSample, type BaselineSnapshot, computeStats } from '../../lib/detection/assessment-baseline';
import { engineTextScanner } from '../../lib/detection/assessment-text-scanner';
import { DAY_MS, T0, VARIED_12, answers, config, samples, snapshotOf, submission } from '../helpers/assessment-fixtures';

const cfg = config();
const scan = engineTextScanner();
const types = (anoms: readonly AssessmentAnomaly[]): string[] => anoms.map((a) => a.type);
/** A warm baseline: 600 honest submissions, 10 s per item, ln-time SD 0.3, scores around 60. */
const warm = snapshotOf(samples({ n: 600, medianSecPerItem: 10, sdLn: 0.3, scoreMean: 60, scoreSd: 10 }));
const at = new Date(T0 + DAY_MS);

/** `snap: null` = no baseline at all (cold start). */
function detect(over: Partial<AssessmentSubmission>, snap: BaselineSnapshot | null = warm, c = cfg) {
  return detectAssessmentAnomalies(submission({ submittedAt: at, ...over }), snap ?? undefined, c, scan);
}

function assertExplained(a: AssessmentAnomaly): void {
  assert.ok(['INFO', 'WARNING', 'ERROR', 'CRITICAL'].includes(a.severity));
  for (const field of ['observed', 'threshold', 'baseline']) assert.ok(field in a.details, `${a.type} lacks details.${field}`);
  assert.doesNotThrow(() => JSON.stringify(a));
}

describe('detection/assessment-anomaly', () => {
  describe('too_fast', () => {
    it('cold start: only the absolute per-item floor applies', () => {
      const v = detect({ completionTimeSec: 5 }, null);
      assert.deepEqual(types(v.anomalies), ['too_fast']);
      assert.equal(v.anomalies[0].severity, 'ERROR');
      assert.equal((v.anomalies[0].details.baseline as { coldStart: boolean }).coldStart, true);
      assertExplained(v.anomalies[0]);
      assert.equal(detect({ completionTimeSec: 30 }, null).anomalous, false);
    });

    it('warm: far below the median (robust z and share of median) is flagged with the figures behind it', () => {
      const v = detect({ completionTimeSec: 20 }); // 1.7 s/item vs a 10 s median
      assert.deepEqual(types(v.anomalies), ['too_fast']);
      const d = v.anomalies[0].details as { observed: { robustZ: number; seconds: number }; threshold: { seconds: number }; baseline: { medianSecondsPerItem: number; n: number } };
      assert.ok(d.observed.robustZ < -3.5);
      assert.ok(d.threshold.seconds > 20);
      assert.ok(Math.abs(d.baseline.medianSecondsPerItem - 10) < 1);
      assert.equal(d.baseline.n, 600);
    });

    it('a genuinely fast expert (45% of the median) is not flagged', () => {
      assert.equal(detect({ completionTimeSec: 0.45 * 120 }).anomalous, false);
    });

    it('in a homogeneous population, half the median time is not "practically fast" even at a large z', () => {
      const tight = snapshotOf(samples({ n: 600, medianSecPerItem: 10, sdLn: 0.08 }));
      const v = detect({ completionTimeSec: 60 }, tight);
      assert.equal(v.anomalous, false);
      assert.equal(detect({ completionTimeSec: 20 }, tight).anomalous, true);
    });

    it('tooFastThresholdSec is the cut the check applies: just below is flagged, just above is not', () => {
      const tight = snapshotOf(samples({ n: 600, medianSecPerItem: 10, sdLn: 0.08 }));
      for (const snap of [warm, tight, undefined]) {
        const cut = tooFastThresholdSec(snap, 12, cfg);
        assert.ok(cut > 0);
        assert.deepEqual(types(detect({ completionTimeSec: cut * 0.99 }, snap ?? null).anomalies), ['too_fast']);
        assert.equal(detect({ completionTimeSec: cut * 1.01 }, snap ?? null).anomalous, false);
      }
    });

    it('zero seconds is too fast, with a JSON-safe z', () => {
      const v = detect({ completionTimeSec: 0 });
      assert.deepEqual(types(v.anomalies), ['too_fast']);
      assert.doesNotThrow(() => JSON.parse(JSON.stringify(v)));
    });
  });

  describe('rapid_guessing (item times)', () => {
    const itemSnap = snapshotOf(samples({ n: 200, medianSecPerItem: 20, itemSec: 20 }));
    const times = (fast: number, total = 12) => Object.fromEntries(Array.from({ length: total }, (_, i) => [`q${i + 1}`, i < fast ? 0.8 : 18]));

    it('flags enough items answered under 10% of their median time', () => {
      const v = detect({ completionTimeSec: 200, itemTimesSec: times(6) }, itemSnap);
      assert.ok(types(v.anomalies).includes('rapid_guessing'));
      const d = v.anomalies.find((a) => a.type === 'rapid_guessing')!.details as { observed: { rapidItems: number }; threshold: { rapidItems: number } };
      assert.equal(d.observed.rapidItems, 6);
      assert.equal(d.threshold.rapidItems, 3);
    });
    it('items without a baseline are not judged (cold start is covered by the completion-time floor)', () => {
      const cold = snapshotOf(samples({ n: 200, medianSecPerItem: 20 })); // no item times in the baseline
      assert.equal(types(detect({ completionTimeSec: 200, itemTimesSec: times(12) }, cold).anomalies).includes('rapid_guessing'), false);
    });
    it('two quick items out of twelve are not rapid guessing', () => {
      assert.equal(types(detect({ completionTimeSec: 200, itemTimesSec: times(2) }, itemSnap).anomalies).includes('rapid_guessing'), false);
    });
  });

  describe('straight-lining', () => {
    const sameAll = answers(Array(12).fill(3));
    it('flagged on a 12-item form at cold start and where all-same answers are honestly rare', () => {
      assert.ok(types(detect({ responses: sameAll }, null).anomalies).includes('straight_lining'));
      const v = detect({ responses: sameAll });
      assert.deepEqual(types(v.anomalies), ['straight_lining']);
      assertExplained(v.anomalies[0]);
    });

    it('not flagged on a 5-item yes/no form answered all "yes" (form-length gate)', () => {
      assert.equal(detect({ responses: answers(Array(5).fill('yes')), completionTimeSec: 20 }, null).anomalous, false);
    });

    it('not flagged where honest all-same answers are common (near patterns common too)', () => {
      const common = snapshotOf(samples({ n: 600, medianSecPerItem: 10, allSame: 0.08, nearAllSame: 0.06, near2AllSame: 0.03 }));
      assert.equal(detect({ responses: sameAll }, common).anomalous, false);
    });

    it('still flagged when a flood of exact all-same submissions (no near ones) makes them look common', () => {
      const flooded = snapshotOf(samples({ n: 600, medianSecPerItem: 10, allSame: 0.05 }));
      const v = detect({ responses: sameAll }, flooded);
      assert.deepEqual(types(v.anomalies), ['straight_lining']);
      const b = v.anomalies[0].details.baseline as { observed: number; prevalence: number };
      assert.ok(b.observed > 0.03);
      assert.equal(b.prevalence, 0);
    });
  });

  describe('sequential and alternating', () => {
    it('flags a-b-c-d cycles both ways and a yes/no alternation', () => {
      const cyc = answers(Array.from({ length: 12 }, (_, i) => 'abcd'[i % 4]));
      const rev = answers(Array.from({ length: 12 }, (_, i) => 'dcba'[i % 4]));
      const alt = answers(Array.from({ length: 12 }, (_, i) => (i % 2 ? 'no' : 'yes')));
      assert.deepEqual(types(detect({ responses: cyc }).anomalies), ['sequential_pattern']);
      assert.deepEqual(types(detect({ responses: rev }).anomalies), ['sequential_pattern']);
      const v = detect({ responses: alt });
      assert.deepEqual(types(v.anomalies), ['alternating_pattern']);
      assertExplained(v.anomalies[0]);
    });
    it('honest varied answers show no pattern', () => {
      assert.equal(detect({ responses: answers(VARIED_12) }).anomalous, false);
    });
  });

  describe('score outliers and the joint rule', () => {
    it('a score far above the robust centre is an outlier; a low one only with scoreTail "both"', () => {
      const v = detect({ score: 120 });
      assert.deepEqual(types(v.anomalies), ['score_outlier']);
      assertExplained(v.anomalies[0]);
      assert.equal(detect({ score: 5 }).anomalous, false);
      assert.deepEqual(types(detect({ score: 5 }, warm, config({ scoreTail: 'both' })).anomalies), ['score_outlier']);
    });

    it('a legitimately perfect score at normal speed is not flagged, where perfect scores happen', () => {
      const quiz: BaselineSample[] = samples({ n: 800, medianSecPerItem: 20, sdLn: 0.3, scoreMean: 70, scoreSd: 15 }).map((s) => ({ ...s, score: Math.min(100, s.score as number) }));
      const snap = snapshotOf(quiz);
      assert.equal(detect({ score: 100, completionTimeSec: 12 * 20 }, snap).anomalous, false);
    });

    it('a top score in a fraction of the top scorers\' time is fast_high_score (answer-key cheating)', () => {
      const quiz = samples({ n: 800, medianSecPerItem: 20, sdLn: 0.3, scoreMean: 70, scoreSd: 15 }).map((s) => ({ ...s, score: Math.min(100, s.score as number) }));
      const v = detect({ score: 100, completionTimeSec: 12 * 20 * 0.3 }, snapshotOf(quiz));
      assert.ok(types(v.anomalies).includes('fast_high_score'), JSON.stringify(types(v.anomalies)));
      const a = v.anomalies.find((x) => x.type === 'fast_high_score')!;
      assert.equal(a.severity, 'ERROR');
      assertExplained(a);
    });
  });

  it('joint rule: a lower MAD narrowed by accepted cheaters below the median does not narrow the spread it uses', () => {
    const base = snapshotOf(samples({ n: 3000, medianSecPerItem: 25, sdLn: 0.4, scoreMean: 60, scoreSd: 12, seed: 8 }));
    const median = Math.log(20);
    // The perfect scorers: spread 0.4 above the median, but a lower MAD squeezed to a third by
    // slow cheaters (accepted, just below the median) and by the group's fastest members being flagged.
    const time = { n: 300, median, madLow: 0.09, madHigh: 0.27, below: 0.5, above: 0.5 };
    const top = { scoreCut: 100, groupShare: 0.08, scoreMedian: 60, time, levels: [{ scoreCut: 100, share: 0.08, time }] };
    const snap = { ...base, live: { ...base.live, top } };
    // An honest top scorer 1.9 true SDs faster than the median: about -7 on the squeezed lower MAD, -2.1 on the upper.
    const honestFast = 12 * Math.exp(median - 1.9 * 0.27 * 1.4826 * 0.75);
    assert.equal(types(detect({ score: 100, completionTimeSec: honestFast }, snap).anomalies).includes('fast_high_score'), false);
    // A cheater at a fifth of the group median still is.
    const v = detect({ score: 100, completionTimeSec: 12 * 20 * 0.2 }, snap);
    assert.ok(types(v.anomalies).includes('fast_high_score'));
  });

  describe('injection in free text', () => {
    it('flags a payload in a free-text answer, CRITICAL, naming the item and kind', () => {
      const v = detect({ responses: { ...answers(VARIED_12), comment: "Great quiz' OR '1'='1" } });
      assert.deepEqual(types(v.anomalies), ['injection']);
      const a = v.anomalies[0];
      assert.equal(a.severity, 'CRITICAL');
      assert.deepEqual((a.details.observed as { kinds: string[] }).kinds, ['sqli']);
      assert.ok(String(a.details.payload).length <= 120);
      assertExplained(a);
    });
    it('benign look-alikes pass: "O\'Brien", "select a plan", code-like text', () => {
      for (const comment of ["O'Brien", 'I would select a plan', 'for (i = 0; i < n; i++) sum += a[i];']) {
        assert.equal(detect({ responses: { ...answers(VARIED_12), comment } }).anomalous, false, comment);
      }
    });
    it('uses whatever scanner is injected (the seam for the real engine)', () => {
      const v = detectAssessmentAnomalies(submission({ responses: { q1: 'a(b)' } }), warm, cfg, () => ({ attack: true, kinds: ['ssjs'], score: 9 }));
      assert.deepEqual((v.anomalies.find((a) => a.type === 'injection')!.details.observed as { kinds: string[] }).kinds, ['ssjs']);
      assert.equal(detectAssessmentAnomalies(submission({ responses: { q1: "' OR 1=1 --" } }), warm, cfg).anomalous, false);
    });
  });

  describe('recording and weird input', () => {
    it('accepted, patterns-only and none recording decisions', () => {
      assert.equal(evaluateAssessment(submission({ submittedAt: at }), warm, cfg, scan).recording, 'accepted');
      assert.equal(evaluateAssessment(submission({ submittedAt: at, responses: answers(Array(12).fill(1)) }), warm, cfg, scan).recording, 'patterns-only');
      assert.equal(evaluateAssessment(submission({ submittedAt: at, completionTimeSec: 1 }), warm, cfg, scan).recording, 'none');
      assert.equal(evaluateAssessment(submission({ submittedAt: new Date(Number.NaN) }), warm, cfg, scan).recording, 'none');
    });

    it('the recorded sample carries the figures the baseline needs, bounded', () => {
      const sub = submission({ submittedAt: at, score: 55, itemTimesSec: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`q${i + 1}`, 9])) });
      const e = evaluateAssessment(sub, warm, config({ maxTrackedItems: 4 }), scan);
      const s = toBaselineSample(sub, e, config({ maxTrackedItems: 4 }));
      assert.ok(s);
      assert.equal(s.accepted, true);
      assert.equal(s.score, 55);
      assert.equal(Object.keys(s.itemSec ?? {}).length, 4);
      assert.ok(Math.abs((s.lnTimePerItem as number) - Math.log(10)) < 1e-3);
    });

    it('item times are kept as submitted when every timed key is an item with a time > 0, else as the items with a time > 0 only', () => {
      const times = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`q${i + 1}`, 9]));
      const plain = submission({ submittedAt: at, itemTimesSec: times });
      const s = toBaselineSample(plain, evaluateAssessment(plain, warm, cfg, scan), cfg);
      assert.ok(s);
      assert.equal(s.itemSec, plain.itemTimesSec);
      assert.equal(s.itemLnTimes, undefined);
      for (const odd of [{ ...times, extra: 9 }, { ...times, q3: 0 }]) {
        const sub = submission({ submittedAt: at, itemTimesSec: odd });
        const t = toBaselineSample(sub, evaluateAssessment(sub, warm, cfg, scan), cfg);
        assert.ok(t && t.itemSec, JSON.stringify(odd));
        assert.notEqual(t.itemSec, sub.itemTimesSec, JSON.stringify(odd));
        assert.ok(!('extra' in t.itemSec), JSON.stringify(odd));
        assert.equal('q3' in t.itemSec, (odd as Record<string, number>).q3 > 0, JSON.stringify(odd));
        assert.equal(t.itemSec.q1, 9);
        assert.equal(t.itemLnTimes, undefined);
      }
    });

    it('negative, NaN and infinite times, bad scores and item times are invalid_submission, not crashes', () => {
      for (const over of [{ completionTimeSec: -5 }, { completionTimeSec: Number.NaN }, { completionTimeSec: Infinity }, { score: Number.NaN }, { itemTimesSec: { q1: -2 } }]) {
        const v = detect(over as Partial<AssessmentSubmission>);
        assert.ok(types(v.anomalies).includes('invalid_submission'), JSON.stringify(over));
        assertExplained(v.anomalies.find((a) => a.type === 'invalid_submission')!);
      }
    });

    it('a huge form is bounded and reported as scan_incomplete', () => {
      const responses: Record<string, unknown> = {};
      for (let i = 0; i < 50000; i++) responses[`q${i}`] = i % 5;
      const started = process.hrtime.bigint();
      const v = detect({ responses, completionTimeSec: 50000 * 10 });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(types(v.anomalies).includes('scan_incomplete'));
      assert.ok(ms < 2000, `took ${ms} ms`);
    });

    it('property: any JSON-ish submission yields a JSON-serialisable verdict and never throws', () => {
      const snapWithRef = { ...warm, reference: { frozenAtMs: T0, stats: computeStats(samples({ n: 300 }), T0 + DAY_MS, cfg) } };
      const run = (): void =>
        fc.assert(
        fc.property(
          fc.record({
            user: fc.oneof(fc.string(), fc.constant(undefined)),
            type: fc.oneof(fc.string(), fc.integer()),
            completionTimeSec: fc.oneof(fc.double(), fc.integer(), fc.constant(undefined), fc.string()),
            responses: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue(), fc.constant(undefined)),
            score: fc.oneof(fc.double(), fc.constant(undefined), fc.string()),
            submittedAt: fc.oneof(fc.date({ noInvalidDate: false }), fc.constant(undefined)),
            itemTimesSec: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.string())), fc.constant(undefined), fc.jsonValue()),
          }),
          (raw) => {
            const v = detectAssessmentAnomalies(raw as unknown as AssessmentSubmission, snapWithRef, cfg, scan);
            JSON.parse(JSON.stringify(v));
            return typeof v.anomalous === 'boolean' && v.anomalous === v.anomalies.length > 0;
          },
        ),
        { numRuns: 300, seed: 42 },
      );
      assert.doesNotThrow(run);
    });
  });
});
