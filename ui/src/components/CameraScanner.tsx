import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../app-state';
import { cameraErrorKey, cameraSupported, cleanCode, createDetector, createRepeatFilter, hasCamera, openCamera, stopStream, type ScanFormat } from '../camera-scan';
import type { MessageKey } from '../i18n/zh';
import { beep } from '../sound';
import { Modal } from './common';

/** How often a frame is decoded (a phone-held code needs no more). */
const FRAME_MS = 150;

/**
 * The camera overlay: live picture, a frame to aim with, a flash and a beep per code read,
 * and a field to type the code, always there (no camera, permission refused, a code the
 * camera will not read). `onCode` returns true when the overlay should close (a pickup code
 * found); the cashier's overlay stays open for the next product.
 */
export function CameraScanner(props: {
  title: string;
  formats: readonly ScanFormat[];
  typeLabel: string;
  /** The on-screen keyboard for the typing field: digits for EANs, letters too for W- numbers. */
  inputMode?: 'numeric' | 'text';
  onCode: (code: string) => boolean | void | Promise<boolean | void>;
  onClose: () => void;
  testId?: string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<'starting' | 'live' | 'error'>('starting');
  const [error, setError] = useState<MessageKey | null>(null);
  const [last, setLast] = useState<string | null>(null);
  const [flash, setFlash] = useState(0);
  const [typed, setTyped] = useState('');
  const typedRef = useRef<HTMLInputElement>(null);
  const onCode = useRef(props.onCode);
  onCode.current = props.onCode;
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  const accept = async (code: string) => {
    setLast(code);
    setFlash((n) => n + 1);
    beep();
    if ((await onCode.current(code)) === true) onClose.current();
  };

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const fresh = createRepeatFilter(1500);
    (async () => {
      try {
        const [s, detector] = await Promise.all([openCamera(), createDetector(props.formats)]);
        stream = s;
        if (closed) return stopStream(s);
        const v = video.current!;
        v.srcObject = s;
        await v.play().catch(() => undefined);
        setState('live');
        const tick = async () => {
          if (closed) return;
          if (v.readyState >= 2 && v.videoWidth > 0) {
            try {
              for (const b of await detector.detect(v)) {
                const code = cleanCode(b.rawValue);
                if (code && fresh(code, performance.now()) && !closed) await accept(code);
              }
            } catch {
              /* a frame that cannot be read: try the next */
            }
          }
          if (!closed) timer = setTimeout(() => void tick(), FRAME_MS);
        };
        void tick();
      } catch (e) {
        stopStream(stream);
        if (!closed) {
          setError(cameraErrorKey(e));
          setState('error');
        }
      }
    })();
    return () => {
      // no leaked streams: the camera light goes off when the overlay closes
      closed = true;
      if (timer) clearTimeout(timer);
      stopStream(stream);
      if (video.current) video.current.srcObject = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // no camera: the typing field is the way in
  useEffect(() => {
    if (state === 'error') typedRef.current?.focus();
  }, [state]);

  const submitTyped = () => {
    const code = cleanCode(typed);
    if (!code) return;
    setTyped('');
    void accept(code);
  };

  return (
    <Modal title={props.title} onClose={props.onClose} testId={props.testId ?? 'camera-scanner'}>
      <div class="camera-box" data-state={state}>
        <video ref={video} class="camera-video" muted playsInline autoPlay data-testid="camera-video" />
        {state === 'live' && <div class="camera-aim" aria-hidden="true" />}
        {flash > 0 && <div key={flash} class="camera-flash" aria-hidden="true" />}
        {state === 'starting' && <div class="camera-msg">{t('camera.starting')}</div>}
        {state === 'error' && error && (
          <div class="camera-msg camera-error" role="alert" data-testid="camera-error">
            {t(error)}
          </div>
        )}
      </div>
      <p class="small muted camera-hint">{state === 'error' ? t('camera.typeInstead') : t('camera.aim')}</p>
      {last && (
        <p class="camera-last" data-testid="camera-last">
          {t('camera.read')} <span class="mono strong">{last}</span>
        </p>
      )}
      <form
        class="camera-type"
        onSubmit={(e) => {
          e.preventDefault();
          submitTyped();
        }}
      >
        <input
          class="input"
          type="text"
          ref={typedRef}
          inputMode={props.inputMode ?? 'numeric'}
          autoComplete="off"
          placeholder={props.typeLabel}
          aria-label={props.typeLabel}
          value={typed}
          data-testid="camera-typed"
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn-primary" disabled={cleanCode(typed) == null}>
          {t('common.ok')}
        </button>
      </form>
    </Modal>
  );
}

/** Whether to offer the camera: getUserMedia exists (a secure context) and the device has a
 *  camera; follows cameras plugged in or out. */
export function useCameraOffered(): boolean {
  const [offered, setOffered] = useState(false);
  useEffect(() => {
    if (!cameraSupported()) return;
    let live = true;
    const check = () => void hasCamera().then((yes) => live && setOffered(yes));
    check();
    navigator.mediaDevices.addEventListener?.('devicechange', check);
    return () => {
      live = false;
      navigator.mediaDevices.removeEventListener?.('devicechange', check);
    };
  }, []);
  return offered;
}

/** The small camera button beside a code field; rendered only where a camera can be opened. */
export function CameraButton(props: { onClick: () => void; label: string; testId: string }) {
  return (
    <button type="button" class="btn camera-btn" onClick={props.onClick} title={props.label} aria-label={props.label} data-testid={props.testId}>
      <svg class="camera-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round">
        <path d="M4 7h3l2-3h6l2 3h3a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1z" />
        <circle cx="12" cy="13" r="4" />
      </svg>
      <span class="camera-btn-text">{props.label}</span>
    </button>
  );
}
