/**
 * Compute backends and their selection.
 *
 *   js   - the TypeScript reference implementations (always present, slow, obviously right)
 *   cpu  - the C++ addon built by node-gyp from binding.gyp  (build/Release/neurion.node)
 *   cuda - the CUDA addon built by cmake-js from CMakeLists.txt (build-cuda/Release/neurion_cuda.node),
 *          usable only when it loads and sees a device
 *
 * Automatic choice: cuda, then cpu, then js. `NEURION_BACKEND=js|cpu|cuda` (or the config's
 * `backend`) forces one and fails loudly when it is not available.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BackendUnavailableError } from '../errors.js';
import { projectRoot } from '../util/paths.js';

export const BACKENDS = ['js', 'cpu', 'cuda'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Functions both native addons export, with identical positional signatures. */
export interface NativeAddon {
  buildInfo(): Record<string, unknown>;
  sma(x: Float64Array, rows: number, cols: number, period: number, out?: Float64Array, threads?: number): Float64Array;
  philox4x32(key: Uint32Array, counter: Uint32Array, blocks: number, out?: Uint32Array): Uint32Array;
  philoxNormal(
    key: Uint32Array, stream: number, pathOffset: number, paths: number, steps: number, out?: Float64Array, threads?: number,
  ): Float64Array;
  ta(name: string, inputs: Float64Array[], rows: number, cols: number, params: Float64Array, outputs?: Float64Array[], threads?: number): Float64Array[];
  taList(): Array<{ name: string; inputs: string[]; outputs: string[]; params: Array<{ name: string; default: number; min: number; max: number; integer: boolean; maxIsLength: boolean }> }>;
  taLookback(name: string, params: Float64Array): number;
}

export interface CudaDeviceInfo {
  name: string;
  totalMemoryBytes: number;
  computeCapability: string;
  multiprocessorCount: number;
  driverVersion: number;
  runtimeVersion: number;
}

export interface CudaAddon extends NativeAddon {
  deviceCount(): number;
  deviceInfo(): CudaDeviceInfo;
}

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why it is not available, or where it was loaded from. */
  detail: string;
  addon?: NativeAddon;
  device?: CudaDeviceInfo;
}

const require = createRequire(import.meta.url);
let statusCache: Map<BackendName, BackendStatus> | undefined;

function loadAddon<T>(relative: string): { addon?: T; error?: string; path: string } {
  const path = join(projectRoot(), relative);
  try {
    return { addon: require(path) as T, path };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] ?? String(e), path };
  }
}

function probe(): Map<BackendName, BackendStatus> {
  const m = new Map<BackendName, BackendStatus>();
  m.set('js', { name: 'js', available: true, detail: 'TypeScript reference implementations' });

  const cpu = loadAddon<NativeAddon>('build/Release/neurion.node');
  m.set('cpu', cpu.addon
    ? { name: 'cpu', available: true, detail: cpu.path, addon: cpu.addon }
    : { name: 'cpu', available: false, detail: `addon did not load (${cpu.error}); run npm run build` });

  const cuda = loadAddon<CudaAddon>('build-cuda/Release/neurion_cuda.node');
  if (!cuda.addon) {
    m.set('cuda', { name: 'cuda', available: false, detail: `addon not built or did not load (${cuda.error}); run npm run build:cuda` });
  } else {
    let count = 0;
    try { count = cuda.addon.deviceCount(); } catch (e) { count = 0; }
    if (count > 0) {
      m.set('cuda', { name: 'cuda', available: true, detail: cuda.path, addon: cuda.addon, device: cuda.addon.deviceInfo() });
    } else {
      m.set('cuda', { name: 'cuda', available: false, detail: `addon loaded from ${cuda.path} but no CUDA device is present` });
    }
  }
  return m;
}

/** Status of every backend (probed once per process). */
export function backendStatus(): BackendStatus[] {
  statusCache ??= probe();
  return BACKENDS.map((b) => statusCache!.get(b)!);
}

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKENDS as readonly string[]).includes(v);
}

/** Backends available in this process, in preference order (cuda, cpu, js). */
export function availableBackends(): BackendName[] {
  return backendStatus().filter((s) => s.available).map((s) => s.name).reverse();
}

/**
 * Resolves a requested backend ('auto' or a name) to an available one. A forced backend that
 * is not available throws BackendUnavailableError with the reason.
 */
export function resolveBackend(requested: BackendName | 'auto' | undefined = defaultBackendRequest()): BackendName {
  if (requested === 'auto') return availableBackends()[0]!;
  if (!isBackendName(requested)) {
    throw new RangeError(`backend must be one of auto, ${BACKENDS.join(', ')}; got ${JSON.stringify(requested)}`);
  }
  const s = backendStatus().find((b) => b.name === requested)!;
  if (!s.available) throw new BackendUnavailableError(requested, s.detail);
  return requested;
}

/** The process-wide default request: NEURION_BACKEND if set, else 'auto'. */
export function defaultBackendRequest(): BackendName | 'auto' {
  const env = process.env.NEURION_BACKEND;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (!isBackendName(env)) {
    throw new RangeError(`NEURION_BACKEND must be one of auto, ${BACKENDS.join(', ')}; got ${JSON.stringify(env)}`);
  }
  return env;
}

export function nativeAddon(backend: 'cpu' | 'cuda'): NativeAddon {
  const s = backendStatus().find((b) => b.name === backend)!;
  if (!s.available || !s.addon) throw new BackendUnavailableError(backend, s.detail);
  return s.addon;
}
