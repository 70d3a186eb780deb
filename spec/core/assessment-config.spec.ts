import { assert } from '../helpers/counted-assert';
import {
  ASSESSMENT_ENV_VARS,
  DEFAULT_ASSESSMENT_ANOMALY_CONFIG,
  assessmentOptionsFromEnv,
  parseAssessmentAnomalyOptions,
  resolveAssessmentConfigFromEnv,
} from '../../lib/core/assessment-config';

describe('core/assessment-config', () => {
  it('defaults, with seed 002 names mapped to their reinterpreted settings', () => {
    const c = parseAssessmentAnomalyOptions(undefined);
    assert.deepEqual(c, DEFAULT_ASSESSMENT_ANOMALY_CONFIG);
    assert.equal(c.baselineWindowDays, 7);
    assert.equal(c.robustZ, 3.5);
    assert.equal(c.completionTimeShare, 0.3);
    assert.equal(c.scoreRangeShare, 0.05);
    assert.equal(ASSESSMENT_ENV_VARS.baselineWindowDays, 'ANOMALY_BASELINE_WINDOW');
    assert.equal(ASSESSMENT_ENV_VARS.robustZ, 'ANOMALY_THRESHOLD');
    assert.equal(ASSESSMENT_ENV_VARS.completionTimeShare, 'COMPLETION_TIME_THRESHOLD');
    assert.equal(ASSESSMENT_ENV_VARS.scoreRangeShare, 'SCORE_RANGE_THRESHOLD');
  });

  it('keys set to undefined use the default', () => {
    assert.equal(parseAssessmentAnomalyOptions({ robustZ: undefined }).robustZ, 3.5);
  });

  it('rejects an unknown key with a suggestion and the code', () => {
    assert.throws(() => parseAssessmentAnomalyOptions({ robustz: 3 }, '@SecureAssessment() on Quiz.submit'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_WATCHPOST_UNKNOWN_ASSESSMENT_OPTION');
      assert.match(err.message, /@SecureAssessment\(\) on Quiz.submit: unknown option "robustz"\. Did you mean `robustZ`\?/);
      return true;
    });
  });

  it('rejects bad values with the value, what is expected and the code', () => {
    const bad: [string, unknown, RegExp][] = [
      ['baselineWindowDays', 0, /baselineWindowDays 0 is not valid\. Expected a number of days > 0/],
      ['robustZ', 'high', /robustZ "high" is not valid/],
      ['minBaselineSamples', 2.5, /an integer between 5/],
      ['scoreTail', 'low', /"high" or "both"/],
      ['poisoningGuard', 'yes', /true or false/],
      ['completionTimeShare', Number.NaN, /completionTimeShare null/],
    ];
    for (const [key, value, re] of bad) {
      assert.throws(() => parseAssessmentAnomalyOptions({ [key]: value }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION');
        assert.match(err.message, re);
        return true;
      });
    }
    assert.throws(() => parseAssessmentAnomalyOptions('nope'), { code: 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION' });
  });

  it('environment variables: parsed, empty ones ignored, bad ones named', () => {
    const o = assessmentOptionsFromEnv({ ANOMALY_BASELINE_WINDOW: '14', ANOMALY_THRESHOLD: '3', COMPLETION_TIME_THRESHOLD: '', ANOMALY_POISONING_GUARD: 'false', ANOMALY_SCORE_TAIL: 'both' });
    assert.deepEqual(o, { baselineWindowDays: 14, robustZ: 3, poisoningGuard: false, scoreTail: 'both' });
    assert.equal(assessmentOptionsFromEnv({ ANOMALY_SCORE_TAIL: ' HIGH ' }).scoreTail, 'high', 'words in any case, like every other setting');
    assert.throws(() => assessmentOptionsFromEnv({ ANOMALY_SCORE_TAIL: 'low' }), { code: 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION' });
    assert.throws(() => assessmentOptionsFromEnv({ SCORE_RANGE_THRESHOLD: '5%' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION');
      assert.match(err.message, /SCORE_RANGE_THRESHOLD "5%" is not valid\. Expected a share between 0 and 1/);
      return true;
    });
  });

  it('explicit options override the environment, which overrides defaults', () => {
    const c = resolveAssessmentConfigFromEnv({ ANOMALY_THRESHOLD: '3', ANOMALY_BASELINE_WINDOW: '10' }, { robustZ: 4 });
    assert.equal(c.robustZ, 4);
    assert.equal(c.baselineWindowDays, 10);
  });
});
