import { PassThrough } from 'node:stream';
import { assert } from '../helpers/counted-assert';
import { main } from '../../lib/cli';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (c: Buffer) => (buf += c.toString('utf8')));
  return { stream, text: () => buf };
}

describe('cli: dispatcher', () => {
  it('an unknown command exits 2 and names it', async () => {
    const out = collect();
    const err = collect();
    const code = await main(['frobnicate'], { stdin: new PassThrough(), stdout: out.stream, stderr: err.stream, env: {} });
    assert.equal(code, 2);
    assert.match(err.text(), /unknown command "frobnicate"/);
    assert.match(err.text(), /Usage: watchpost/);
  });

  it('help lists the commands and exits 0', async () => {
    const out = collect();
    const code = await main(['--help'], { stdin: new PassThrough(), stdout: out.stream, stderr: new PassThrough(), env: {} });
    assert.equal(code, 0);
    assert.match(out.text(), /scan/);
    assert.match(out.text(), /assess/);
  });
});
