import { describe, expect, it } from 'vitest';
import { cameraErrorKey, cameraSupported, cleanCode, createRepeatFilter, hasCamera } from '../src/camera-scan';

describe('camera repeat filter', () => {
  it('reads a code held in front of the camera once', () => {
    const fresh = createRepeatFilter(1500);
    const seen = [0, 100, 250, 900, 1400, 2000, 2800].map((t) => fresh('6901234567892', t));
    // every sighting is within 1.5 s of the previous one: one scan
    expect(seen).toEqual([true, false, false, false, false, false, false]);
  });

  it('reads the same code again after a pause, and another code at once', () => {
    const fresh = createRepeatFilter(1500);
    expect(fresh('A1234567', 0)).toBe(true);
    expect(fresh('B7654321', 50)).toBe(true);
    expect(fresh('A1234567', 100)).toBe(true); // a different code came between
    expect(fresh('A1234567', 1700)).toBe(true); // 1.6 s later: a second item of the same product
    expect(fresh('A1234567', 3199)).toBe(false);
  });
});

describe('camera errors', () => {
  const named = (name: string) => Object.assign(new Error(name), { name });
  it('tells a refused permission from a missing or busy camera', () => {
    expect(cameraErrorKey(named('NotAllowedError'))).toBe('camera.denied');
    expect(cameraErrorKey(named('SecurityError'))).toBe('camera.denied');
    expect(cameraErrorKey(named('NotFoundError'))).toBe('camera.none');
    expect(cameraErrorKey(named('OverconstrainedError'))).toBe('camera.none');
    expect(cameraErrorKey(named('NotReadableError'))).toBe('camera.busy');
    expect(cameraErrorKey(named('DecoderError'))).toBe('camera.decoder');
    expect(cameraErrorKey(new TypeError('x'))).toBe('camera.failed');
    expect(cameraErrorKey(undefined)).toBe('camera.failed');
  });

  it('offers the camera only where getUserMedia exists', () => {
    const nav = navigator as unknown as { mediaDevices?: unknown };
    const before = Object.getOwnPropertyDescriptor(navigator, 'mediaDevices');
    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
    expect(cameraSupported()).toBe(false);
    Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: () => Promise.reject(new Error('no')) }, configurable: true });
    expect(cameraSupported()).toBe(true);
    if (before) Object.defineProperty(navigator, 'mediaDevices', before);
    else delete nav.mediaDevices;
  });
});

describe('hasCamera', () => {
  const withDevices = async (md: unknown, fn: () => Promise<void>) => {
    const before = Object.getOwnPropertyDescriptor(navigator, 'mediaDevices');
    Object.defineProperty(navigator, 'mediaDevices', { value: md, configurable: true });
    try {
      await fn();
    } finally {
      if (before) Object.defineProperty(navigator, 'mediaDevices', before);
      else delete (navigator as unknown as { mediaDevices?: unknown }).mediaDevices;
    }
  };
  const gum = () => Promise.reject(new Error('no'));
  it('offers the camera only on a device that has one', async () => {
    await withDevices({ getUserMedia: gum, enumerateDevices: async () => [{ kind: 'audioinput' }, { kind: 'audiooutput' }] }, async () => {
      expect(await hasCamera()).toBe(false); // a desktop till with a microphone, no camera
    });
    await withDevices({ getUserMedia: gum, enumerateDevices: async () => [{ kind: 'videoinput', label: '' }] }, async () => {
      expect(await hasCamera()).toBe(true);
    });
    await withDevices(undefined, async () => {
      expect(await hasCamera()).toBe(false); // not a secure context
    });
    await withDevices({ getUserMedia: gum }, async () => {
      expect(await hasCamera()).toBe(true); // cannot tell: offer it, typing stays beside it
    });
  });
});

describe('cleanCode', () => {
  it('drops control characters and blanks', () => {
    expect(cleanCode(' 6901234567892\r\n')).toBe('6901234567892');
    expect(cleanCode('\u001d0104')).toBe('0104');
    expect(cleanCode('  ')).toBeNull();
  });
});
