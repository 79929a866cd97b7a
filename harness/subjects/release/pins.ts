/**
 * The pins file (images/mirrord-versions.json, or `--pins FILE`): for each mirrord version, the sha256 of
 * each release asset, the digest of its agent image, and the sha256 of the lab's layer variants. `null`
 * means "not pinned yet": only `images pin` (where the network exists) writes a hash, nobody types one.
 *
 * Schema 2 is written; schema 1 files (`versions.<v>.<asset>: sha256`) are still read, as schema 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../cli/context.ts';
import { EnvironmentError } from '../../cli/errors.ts';
import { errnoReason } from '../../cli/fs-errors.ts';
import { writeAtomic } from '../../files.ts';
import { allowedValues, defOf, schemaAt, unwrap } from '../../model/introspect.ts';
import { formatPath, showValue } from '../../model/validate.ts';
import { STRATEGIES, StrategySchema, type Strategy } from '../../model/result.ts';
import { ASSET_PATTERN, VERSION_PATTERN } from './assets.ts';

export const PINS_FILE = join(REPO_ROOT, 'images', 'mirrord-versions.json');
/** How the default file is named in messages (the path a user sees in the repository). */
export const PINS_FILE_LABEL = 'images/mirrord-versions.json';
export const DEFAULT_RELEASE_BASE_URL = 'https://github.com/metalbear-co/mirrord/releases/download';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
// An image reference with a tag and no digest: the digest is pinned beside it.
const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A string check whose failure says, in words, what was expected (zod's regex message names no format). */
const matching = (pattern: RegExp, expected: string) =>
  z.custom<string>((v) => typeof v === 'string' && pattern.test(v), { params: { expected } });

const Sha256Pin = matching(SHA256_HEX, '64 lowercase hex digits (a sha256) or null').or(z.null());
const AssetName = matching(ASSET_PATTERN, 'a release asset name like mirrord_linux_x86_64');
const Version = matching(VERSION_PATTERN, 'a mirrord version like 3.112.0');
const AssetPins = z.record(AssetName, Sha256Pin);

const AgentImagePin = z.strictObject({
  ref: matching(IMAGE_REF, 'an image reference with a tag, like ghcr.io/metalbear-co/mirrord:3.112.0'),
  digest: matching(IMAGE_DIGEST, '"sha256:" and 64 lowercase hex digits (an image digest) or null').or(z.null()),
});

const VersionPinsSchema = z.strictObject({
  /** Release asset name -> sha256. */
  assets: AssetPins,
  /** Where the agent comes from when `assets` has no `mirrord-agent`; null (or absent): from no image. */
  agentImage: AgentImagePin.nullable().optional(),
  /** Guard strategy -> layer asset name -> sha256, for `<base>/variants/<strategy>/<asset>`. */
  variants: z.partialRecord(StrategySchema, AssetPins).optional(),
});

const PinsV2Schema = z.strictObject({
  schema: z.literal(2),
  /** The default release base; null for pins that belong to no base of their own (the lab's publish). */
  releaseBaseUrl: z.string().or(z.null()),
  versions: z.record(Version, VersionPinsSchema),
});

const PinsV1Schema = z.strictObject({
  schema: z.literal(1),
  releaseBaseUrl: z.string(),
  versions: z.record(Version, AssetPins),
});

export type VersionPins = z.infer<typeof VersionPinsSchema>;
export type PinsFile = z.infer<typeof PinsV2Schema>;
export type AgentImagePin = z.infer<typeof AgentImagePin>;

/** The fields an object (or the keys an enum-keyed record) at `path` may have. */
function knownKeys(root: z.core.$ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  const at = schemaAt(root, path, input);
  if (!at) return [];
  const def = defOf(unwrap(at).schema) as ReturnType<typeof defOf> & { keyType?: z.core.$ZodType };
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) return (allowedValues(def.keyType) ?? []).map(String);
  return [];
}

/** One line for the first problem: where it is, what is there, and what belongs there. */
function issueLine(issue: z.core.$ZodIssue, root: z.core.$ZodType, input: unknown): string {
  const at = (path: readonly PropertyKey[]) => formatPath(path);
  const valueAt = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
  const expected = (i: z.core.$ZodIssue) => (i.code === 'custom' ? (i.params as { expected?: string } | undefined)?.expected : undefined);
  switch (issue.code) {
    case 'custom':
      return `${at(issue.path)} is ${showValue(valueAt(issue.path))}, expected ${expected(issue) ?? issue.message}`;
    case 'invalid_key': {
      const key = issue.path.at(-1);
      const inner = issue.issues[0];
      const want = inner ? (expected(inner) ?? inner.message) : issue.message;
      return `${at(issue.path.slice(0, -1))} has the key ${JSON.stringify(String(key))}, expected ${want}`;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(root, issue.path, input);
      const list = known.length ? ` (known: ${known.join(', ')})` : '';
      return `${at(issue.path)} has the unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}${list}`;
    }
    case 'invalid_value':
      return `${at(issue.path)} is ${showValue(valueAt(issue.path))}, expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_union': {
      // A pin that is neither a hash nor null: the hash branch says what a pin looks like.
      const first = issue.errors.flat()[0];
      return first ? issueLine({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, root, input) : `${at(issue.path)}: ${issue.message}`;
    }
    case 'invalid_type':
      return `${at(issue.path)} is ${showValue(valueAt(issue.path))}, expected ${issue.expected === 'object' || issue.expected === 'record' ? 'an object' : `a ${issue.expected}`}`;
    default:
      return `${at(issue.path)}: ${issue.message}`;
  }
}

/** A misspelt field also reads as a missing one: the misspelling is the one to report. */
const firstIssue = (issues: z.core.$ZodIssue[]): z.core.$ZodIssue => issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;

const badFile = (path: string, why: string) => new EnvironmentError(`${path} is not a valid mirrord pins file: ${why}`, 'BAD_PINS_FILE');

/** Reads and checks a pins file; `label` is how messages name it. */
export function readPins(path: string = PINS_FILE, label: string = path === PINS_FILE ? PINS_FILE_LABEL : path): PinsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = errnoReason(e, { path, action: 'read', option: '--pins' });
    throw new EnvironmentError(`cannot read the mirrord pins file ${label}${why ? `: ${why}` : ''}`, 'BAD_PINS_FILE', { cause: e });
  }
  return parsePins(text, label);
}

/** Checks the text of a pins file; a schema 1 file comes back as schema 2. */
export function parsePins(text: string, label: string): PinsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw badFile(label, (e as Error).message);
  }
  const schema = (data as { schema?: unknown } | null)?.schema;
  if (schema === 1) {
    const v1 = PinsV1Schema.safeParse(data);
    if (!v1.success) throw badFile(label, issueLine(firstIssue(v1.error.issues), PinsV1Schema, data));
    return fromSchema1(v1.data);
  }
  const v2 = PinsV2Schema.safeParse(data);
  if (!v2.success) {
    const first = firstIssue(v2.error.issues);
    throw badFile(label, first.path[0] === 'schema' ? `schema is ${showValue(schema)}, expected 2 (or 1, the old format)` : issueLine(first, PinsV2Schema, data));
  }
  return v2.data;
}

// Why: schema 1 knew only assets, so its versions become schema 2 versions with nothing else pinned.
function fromSchema1(v1: z.infer<typeof PinsV1Schema>): PinsFile {
  const versions = Object.fromEntries(Object.entries(v1.versions).map(([v, assets]) => [v, { assets }]));
  return { schema: 2, releaseBaseUrl: v1.releaseBaseUrl, versions };
}

/** The sha256 of one asset of one version, when pinned. */
export function pinnedSha256(pins: PinsFile, version: string, asset: string): string | undefined {
  return pins.versions[version]?.assets[asset] ?? undefined;
}

/** A copy with `version` changed by `change` (created empty when new); versions stay in release order. */
export function withVersion(pins: PinsFile, version: string, change: (v: VersionPins) => VersionPins): PinsFile {
  const versions = { ...pins.versions, [version]: change(pins.versions[version] ?? { assets: {} }) };
  return { ...pins, versions: Object.fromEntries(Object.keys(versions).sort(compareVersions).map((v) => [v, versions[v]!])) };
}

/** A copy with one asset pinned. */
export function withAssetPin(pins: PinsFile, version: string, asset: string, sha256: string): PinsFile {
  return withVersion(pins, version, (v) => ({ ...v, assets: { ...v.assets, [asset]: sha256 } }));
}

/** A copy with one layer variant pinned. */
export function withVariantPin(pins: PinsFile, version: string, strategy: Strategy, asset: string, sha256: string): PinsFile {
  return withVersion(pins, version, (v) => ({ ...v, variants: { ...v.variants, [strategy]: { ...v.variants?.[strategy], [asset]: sha256 } } }));
}

/** A copy with the agent image and its digest pinned. */
export function withImageDigest(pins: PinsFile, version: string, ref: string, digest: string): PinsFile {
  return withVersion(pins, version, (v) => ({ ...v, agentImage: { ref, digest } }));
}

/** Canonical text: fixed key order (assets, agentImage, variants; strategies as the model lists them), so a pin is a one-line diff. */
export function formatPins(pins: PinsFile): string {
  const versions = Object.fromEntries(
    Object.entries(pins.versions).map(([version, v]) => {
      const variants = v.variants ? Object.fromEntries(STRATEGIES.filter((s) => v.variants![s]).map((s) => [s, v.variants![s]])) : undefined;
      const out: Record<string, unknown> = { assets: v.assets };
      if (v.agentImage !== undefined) out.agentImage = v.agentImage && { ref: v.agentImage.ref, digest: v.agentImage.digest };
      if (variants) out.variants = variants;
      return [version, out];
    }),
  );
  return JSON.stringify({ schema: 2, releaseBaseUrl: pins.releaseBaseUrl, versions }, null, 2) + '\n';
}

/** Write-then-rename in the same directory: a reader never sees half a file, a failed write leaves no temp file. */
export function writePins(pins: PinsFile, path: string = PINS_FILE): void {
  writeAtomic(path, formatPins(pins), '--pins');
}

/** Release order (3.9.0 before 3.10.0), so the file lists versions as they came out. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}
