// Report number formatting and escaping: units picked by size, '—' for missing, markup neutralised.

import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtCompact, fmtMs, fmtNum, fmtRatio, fmtShare, fmtUj, MISSING } from './format.js';
import { attr, esc } from './html.js';

describe('report formatting', () => {
  it('prints three significant figures and whole counts', () => {
    expect([fmtNum(4.2156), fmtNum(99.99), fmtNum(2000), fmtNum(1), fmtNum(0.000123), fmtNum(Number.NaN)]).toEqual(['4.22', '100', '2,000', '1', '1.23e-4', MISSING]);
  });

  it('picks the unit from the size', () => {
    expect([fmtMs(0.717), fmtMs(0.0531), fmtMs(0.000491), fmtMs(12_345), fmtMs(0), fmtMs(undefined)]).toEqual(['0.717 ms', '53.1 µs', '491 ns', '12.3 s', '0 ms', MISSING]);
    expect([fmtBytes(80), fmtBytes(454_656), fmtBytes(1_572_864), fmtBytes(Infinity)]).toEqual(['80 B', '444 KiB', '1.50 MiB', MISSING]);
    expect([fmtUj(242), fmtUj(39_800), fmtUj(0.00173), fmtUj(0.000308), fmtUj(0)]).toEqual(['242 µJ', '39.8 mJ', '1.73 nJ', '308 pJ', '0 µJ']);
    expect([fmtRatio(0.45), fmtRatio(1), fmtRatio(1325.4), fmtRatio(7.16e-6)]).toEqual(['0.450', '1.00', '1,325', '7.16e-6']);
    expect([fmtCompact(4_000_000), fmtCompact(250_000), fmtCompact(2500), fmtCompact(0.5)]).toEqual(['4M', '250k', '2500', '0.5']);
    expect([fmtShare(0.71), fmtShare(0.0001), fmtShare(0)]).toEqual(['71.0%', '<0.1%', '0.0%']);
  });

  it('escapes text and attributes', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(esc('a\u0000b\u001fc\td')).toBe('abc\td');
    expect(esc(undefined)).toBe('');
    expect(attr('data-model', 'a"b')).toBe(' data-model="a&quot;b"');
    expect(attr('title', undefined)).toBe('');
  });
});
