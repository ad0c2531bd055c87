import {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  isQuantity,
  parseQuantity,
  quantityToUnits,
  sumQuantities,
  suggestQuantity,
} from '../lib/util/quantity';

describe('canonicalQuantity', () => {
  test.each([
    // the examples that motivate the module
    ['2.6G', '2600M'],
    ['1000m', '1'],
    ['0.5', '500m'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['2048', '2048'],
    ['1000000', '1M'],
    ['1e3', '1e3'],

    // zero in every spelling is "0"
    ['0', '0'],
    ['0n', '0'],
    ['0u', '0'],
    ['0m', '0'],
    ['0k', '0'],
    ['0Ki', '0'],
    ['0M', '0'],
    ['0Mi', '0'],
    ['0G', '0'],
    ['0Gi', '0'],
    ['0T', '0'],
    ['0Ti', '0'],
    ['00', '0'],
    ['-0', '0'],

    // suffixes that are already canonical
    ['1', '1'],
    ['1Ki', '1Ki'],
    ['8Ki', '8Ki'],
    ['7Mi', '7Mi'],
    ['6Gi', '6Gi'],
    ['5Ti', '5Ti'],
    ['4Pi', '4Pi'],
    ['3Ei', '3Ei'],
    ['10Ti', '10Ti'],
    ['100Ti', '100Ti'],
    ['5n', '5n'],
    ['4u', '4u'],
    ['3m', '3m'],
    ['9', '9'],
    ['8k', '8k'],
    ['50k', '50k'],
    ['7M', '7M'],
    ['6G', '6G'],
    ['5T', '5T'],
    ['40T', '40T'],
    ['300T', '300T'],
    ['2P', '2P'],
    ['1E', '1E'],
    ['12E', '12E'],
    ['100E', '100E'],

    // decimal exponents keep e-notation, stepping by 10^3
    ['1E-3', '1e-3'],
    ['1E6', '1e6'],
    ['1e9', '1e9'],
    ['1E12', '1e12'],
    ['1e13', '10e12'],
    ['1e14', '100e12'],
    ['1e15', '1e15'],
    ['1E18', '1e18'],
    ['0.5e0', '500e-3'],
    ['0.5e-1', '50e-3'],
    ['0.5e-2', '5e-3'],
    ['1.2e3', '1200'],
    ['1.3E+6', '1300e3'],
    ['1.40e9', '1400e6'],
    ['1.53E12', '1530e9'],
    ['1.6e15', '1600e12'],
    ['1.7E18', '1700e15'],
    ['.001e12', '1e9'],
    ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'],
    ['1e100', '10e99'],

    // fractions move into a smaller suffix
    ['100.035k', '100035'],
    ['0.001', '1m'],
    ['0.0005k', '500m'],
    ['0.005', '5m'],
    ['0.05', '50m'],
    ['0.00050k', '500m'],
    ['0.00500', '5m'],
    ['0.05000', '50m'],
    ['0.50000', '500m'],
    ['10.035M', '10035k'],
    ['9.01', '9010m'],
    ['8.1k', '8100'],
    ['7.123456M', '7123456'],
    ['6.987654321G', '6987654321'],
    ['5.444T', '5444G'],
    ['40.1T', '40100G'],
    ['300.2T', '300200G'],
    ['2.5P', '2500T'],
    ['1.01E', '1010P'],
    ['1.5', '1500m'],
    ['1.441', '1441m'],
    ['1.08', '1080m'],
    ['5000m', '5'],
    ['1000u', '1m'],
    ['1080000000n', '1080m'],
    ['1000M', '1G'],
    ['0.001T', '1G'],
    ['.001', '1m'],
    ['.0001k', '100m'],
    ['1.', '1'],
    ['1.G', '1G'],
    ['+1k', '1k'],
    ['01Mi', '1Mi'],

    // binary values print in the largest binary suffix that keeps them whole...
    ['1Mi', '1Mi'],
    ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'],
    ['1024Gi', '1Ti'],
    ['0.5Mi', '512Ki'],
    // ...and as decimal when below 1Ki or fractional
    ['0.5Ki', '512'],
    ['1.5Ki', '1536'],
    ['100.035Ki', '102435840m'],
    ['0.05Gi', '53687091200m'],
    ['0.025Ti', '27487790694400m'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],

    // binary values are capped at 2^63-1, decimal ones are not
    ['9Ei', '9223372036854775807'],
    ['9223372036854775807Ki', '9223372036854775807'],
    ['9223372036854775808', '9223372036854775808'],
    ['18446744073709551616', '18446744073709551616'],

    // DecimalSI past "E" falls back to e-notation instead of losing the magnitude
    ['1000E', '1e21'],
    ['5000E', '5e21'],
    ['1000000E', '1e24'],
  ])('%s is stored as %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  test('canonical output is a fixed point', () => {
    for (const input of ['2.6G', '1.5Gi', '0.5', '1e14', '1000E', '100.035Ki', '-9.5Gi', '9Ei']) {
      const canonical = canonicalQuantity(input);
      expect(canonicalQuantity(canonical)).toBe(canonical);
    }
  });

  test('numbers are read as their decimal string', () => {
    expect(canonicalQuantity(0.5)).toBe('500m');
    expect(canonicalQuantity(1024)).toBe('1024');
    expect(canonicalQuantity(1e6)).toBe('1M');
    expect(canonicalQuantity(1e21)).toBe('1e21'); // String(1e21) is "1e+21"
    expect(canonicalQuantity(-2.5)).toBe('-2500m');
  });
});

describe('negative quantities', () => {
  test.each([
    ['-1Gi', '-1Gi'],
    ['-1024Mi', '-1Gi'],
    ['-0.5', '-500m'],
    ['-1000m', '-1'],
    ['-2.6G', '-2600M'],
    ['-1e3', '-1e3'],
    ['-9.5Gi', '-9728Mi'],
    ['-.001Ki', '-1024m'],
    ['-20Ei', '-9223372036854775807'],
  ])('%s is stored as %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });
});

describe('rounding past nano precision', () => {
  test.each([
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['0.9n', '1n'],
    ['3.001n', '4n'],
    ['1.1E-9', '2e-9'],
    ['0.5e-9', '1e-9'],
    ['0.0000000001', '1n'],
    ['0.0000000005', '1n'],
    ['0.00000000050', '1n'],
    ['0.000000000000001', '1n'],
    ['0.00000012345', '124n'],
    ['0.00000012354', '124n'],
    ['1.0000000001', '1000000001n'],
    ['.000000000001Ki', '2n'],
    ['1e-400', '1e-9'],
  ])('%s rounds up to %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  test('negative values round away from zero', () => {
    expect(canonicalQuantity('-0.1n')).toBe('-1n');
    expect(canonicalQuantity('-9.5000000001Gi')).toBe('-10200547328107374183n');
  });
});

describe('parseQuantity', () => {
  test('exposes the value in nanos', () => {
    expect(parseQuantity('1').nanos).toBe(1_000_000_000n);
    expect(parseQuantity('250m').nanos).toBe(250_000_000n);
    expect(parseQuantity('1Ki').nanos).toBe(1024n * 1_000_000_000n);
    expect(parseQuantity('-1n').nanos).toBe(-1n);
    expect(parseQuantity('0.1n').nanos).toBe(1n);
  });

  test.each([
    ['1', 'DecimalSI'],
    ['1k', 'DecimalSI'],
    ['1.5', 'DecimalSI'],
    ['1Ki', 'BinarySI'],
    ['0Ki', 'BinarySI'],
    ['0.5Ki', 'BinarySI'],
    ['1e3', 'DecimalExponent'],
    ['1E-3', 'DecimalExponent'],
    ['1E', 'DecimalSI'],
    // a binary value between 0 and 1 is relabelled decimal
    ['0.000000000001Ki', 'DecimalSI'],
  ])('infers the format of %s as %s', (input, format) => {
    expect(parseQuantity(input).format).toBe(format);
  });

  test.each([
    '',
    '1.2.3',
    'Gi',
    '5 Gi',
    '50GB',
    '-',
    '+',
    '.',
    '1e',
    '0x10',
    '1Gib',
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    ' 1',
    '1 ',
    '1ki',
    '1K',
    '1e3.5',
    '1ee3',
  ])('rejects %j', (input) => {
    expect(isQuantity(input)).toBe(false);
    expect(() => parseQuantity(input)).toThrow(`${JSON.stringify(input)} is not a Kubernetes quantity`);
  });

  test('rejects numbers that are not finite', () => {
    expect(isQuantity(NaN)).toBe(false);
    expect(() => parseQuantity(Infinity)).toThrow('"Infinity" is not a Kubernetes quantity');
  });

  test('error messages suggest a fix when there is an obvious one', () => {
    expect(() => parseQuantity('50GB')).toThrow('"50GB" is not a Kubernetes quantity (try "50Gi")');
    expect(() => parseQuantity('aoeu')).toThrow(/^"aoeu" is not a Kubernetes quantity$/);
  });

  test('refuses magnitudes too large to compute exactly', () => {
    expect(() => parseQuantity('1e1000')).toThrow('"1e1000" is not a Kubernetes quantity this library supports');
    expect(() => parseQuantity('1e4294967296')).toThrow('is not a Kubernetes quantity this library supports');
    expect(isQuantity('1e1000')).toBe(false);
    expect(isQuantity('1e999')).toBe(true);
  });

  test('isQuantity accepts what parses', () => {
    expect(isQuantity('1Gi')).toBe(true);
    expect(isQuantity('+1.5e-3')).toBe(true);
    expect(isQuantity(2)).toBe(true);
  });
});

describe('formatQuantity', () => {
  test('formats by the quantity\'s own format', () => {
    const gib = 1024n ** 3n * 1_000_000_000n;
    expect(formatQuantity({ nanos: gib, format: 'BinarySI' })).toBe('1Gi');
    expect(formatQuantity({ nanos: gib, format: 'DecimalSI' })).toBe('1073741824');
    expect(formatQuantity({ nanos: 1_000_000_000_000n, format: 'DecimalExponent' })).toBe('1e3');
    expect(formatQuantity({ nanos: 0n, format: 'BinarySI' })).toBe('0');
  });

  test('binary values beyond Ei keep the Ei suffix', () => {
    expect(formatQuantity({ nanos: 1024n ** 7n * 1_000_000_000n, format: 'BinarySI' })).toBe('1024Ei');
  });
});

describe('compareQuantities', () => {
  test.each([
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Gi', '1G', 1],
    ['1000m', '1', 0],
    ['1e3', '1k', 0],
    ['-1', '1n', -1],
  ])('compares %s with %s as %d', (a, b, expected) => {
    expect(compareQuantities(a, b)).toBe(expected);
  });

  test('accepts numbers and parsed quantities', () => {
    expect(compareQuantities(parseQuantity('512Mi'), 536870912)).toBe(0);
    expect(compareQuantities(0.5, '600m')).toBe(-1);
  });
});

describe('sumQuantities', () => {
  test('adds exactly and keeps the first operand\'s format', () => {
    expect(formatQuantity(sumQuantities(['512Mi', '512Mi']))).toBe('1Gi');
    expect(formatQuantity(sumQuantities(['1', '500m']))).toBe('1500m');
    expect(formatQuantity(sumQuantities(['1G', '1Gi']))).toBe('2073741824');
    expect(formatQuantity(sumQuantities(['1Gi', '1G']))).toBe('2073741824');
    expect(sumQuantities(['1Gi', '1G']).format).toBe('BinarySI');
    expect(formatQuantity(sumQuantities(['0.1', '0.2']))).toBe('300m');
  });

  test('a zero total takes the format of the next operand', () => {
    expect(formatQuantity(sumQuantities(['0', '512Mi', '512Mi']))).toBe('1Gi');
  });

  test('the empty sum is zero', () => {
    expect(sumQuantities([])).toEqual({ nanos: 0n, format: 'DecimalSI' });
  });

  test('accepts numbers and parsed quantities', () => {
    expect(formatQuantity(sumQuantities([parseQuantity('1Gi'), 1024 ** 3, '-1Gi']))).toBe('1Gi');
  });
});

describe('quantityToUnits', () => {
  test.each([
    ['1Gi', 1073741824n],
    ['2.6G', 2600000000n],
    ['1e3', 1000n],
    ['1.5', 2n],
    ['100m', 1n],
    ['1n', 1n],
    ['0', 0n],
    ['-1.5', -2n],
  ])('%s is %s units', (input, expected) => {
    expect(quantityToUnits(input)).toBe(expected);
  });

  test('accepts numbers and parsed quantities', () => {
    expect(quantityToUnits(parseQuantity('4Gi')) * 3n / 4n).toBe(3221225472n);
    expect(quantityToUnits(42)).toBe(42n);
  });
});

describe('suggestQuantity', () => {
  test.each([
    ['50GB', '50Gi'],
    ['50gb', '50Gi'],
    ['2gi', '2Gi'],
    ['2GI', '2Gi'],
    ['512mb', '512Mi'],
    ['512MB', '512Mi'],
    ['1GiB', '1Gi'],
    ['1.5 Gi', '1.5Gi'],
    ['5 Gi', '5Gi'],
    [' 1 ', '1'],
    ['250 m', '250m'],
    ['2K', '2k'],
    ['4g', '4G'],
    ['1tb', '1Ti'],
    ['100B', '100'],
    ['1ki', '1Ki'],
  ])('suggests %j for %j', (input, expected) => {
    expect(suggestQuantity(input)).toBe(expected);
  });

  test.each(['1Gi', '500m', 'abc', '0x10', 'Gi', '1e', '1.2.3', '5 GiBs', ''])('has no suggestion for %j', (input) => {
    expect(suggestQuantity(input)).toBeUndefined();
  });
});
