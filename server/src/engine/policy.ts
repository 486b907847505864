import { formatRedaction, maskSameLength, surrogateFor, validateRedactionFormat, type Operation, type SurrogateContext } from './transform';
import { ENTITY_TYPES, isEntityType, type EntityType, type Finding } from './types';

/**
 * Per-type strategies, as John Snow Labs offers them: an entity label (Azure redaction format), a same-length
 * character mask, a fixed-length mask, a surrogate (obfuscation), or keep.
 */
export type Strategy =
	| { strategy: 'label'; format?: string }
	| { strategy: 'mask'; char?: string }
	| { strategy: 'fixedMask'; char?: string; length?: number }
	| { strategy: 'surrogate'; values?: string[] }
	| { strategy: 'keep' };

export interface Policy {
	/** Strategy for types not listed (from the operation: redact → label, surrogate → surrogate, tag → keep). */
	default?: Strategy;
	redactionFormat?: string;
	types?: Partial<Record<EntityType, Strategy>>;
}

const STRATEGIES = ['label', 'mask', 'fixedMask', 'surrogate', 'keep'];

/** Validate a parsed policy file; every problem is reported with its JSON path. */
export function validatePolicy(raw: unknown): { policy?: Policy; errors: string[] } {
	const errors: string[] = [];
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { errors: ['the policy must be a JSON object'] };
	const r = raw as Record<string, unknown>;
	for (const k of Object.keys(r))
		if (!['default', 'redactionFormat', 'types', '$schema', 'description'].includes(k))
			errors.push(`unknown property "${k}" (expected default, redactionFormat, types)`);
	if (r.redactionFormat !== undefined) {
		if (typeof r.redactionFormat !== 'string') errors.push('redactionFormat: must be a string');
		else {
			const e = validateRedactionFormat(r.redactionFormat);
			if (e) errors.push(`redactionFormat: ${e}`);
		}
	}
	const checkStrategy = (s: unknown, at: string) => {
		if (!s || typeof s !== 'object' || Array.isArray(s)) return errors.push(`${at}: must be an object such as {"strategy": "mask"}`);
		const o = s as Record<string, unknown>;
		if (!STRATEGIES.includes(o.strategy as string))
			return errors.push(`${at}.strategy: must be one of ${STRATEGIES.join(', ')} (got ${JSON.stringify(o.strategy)})`);
		const allowed: Record<string, string[]> = { label: ['format'], mask: ['char'], fixedMask: ['char', 'length'], surrogate: ['values'], keep: [] };
		for (const k of Object.keys(o))
			if (k !== 'strategy' && !allowed[o.strategy as string].includes(k))
				errors.push(`${at}.${k}: not an option of the "${o.strategy}" strategy`);
		if (o.format !== undefined) {
			const e = typeof o.format === 'string' ? validateRedactionFormat(o.format) : 'must be a string';
			if (e) errors.push(`${at}.format: ${e}`);
		}
		if (o.char !== undefined && (typeof o.char !== 'string' || [...o.char].length !== 1)) errors.push(`${at}.char: must be a single character`);
		if (o.length !== undefined && !(Number.isInteger(o.length) && (o.length as number) >= 1 && (o.length as number) <= 64))
			errors.push(`${at}.length: must be a whole number from 1 to 64`);
		if (
			o.values !== undefined &&
			!(Array.isArray(o.values) && o.values.length > 0 && o.values.every((v) => typeof v === 'string' && v.length > 0))
		)
			errors.push(`${at}.values: must be a non-empty list of non-empty strings`);
		return 0;
	};
	if (r.default !== undefined) checkStrategy(r.default, 'default');
	if (r.types !== undefined) {
		if (!r.types || typeof r.types !== 'object' || Array.isArray(r.types)) errors.push('types: must be an object keyed by entity type');
		else {
			for (const [t, s] of Object.entries(r.types as Record<string, unknown>)) {
				if (!isEntityType(t)) errors.push(`types.${t}: unknown entity type (known: ${ENTITY_TYPES.join(', ')})`);
				else checkStrategy(s, `types.${t}`);
			}
		}
	}
	return errors.length ? { errors } : { policy: r as Policy, errors };
}

function defaultStrategy(op: Operation): Strategy {
	return op === 'surrogate' ? { strategy: 'surrogate' } : op === 'redact' ? { strategy: 'label' } : { strategy: 'keep' };
}

/** The strategy a type gets under a policy, falling back to the operation for unlisted types. */
export function strategyFor(type: EntityType, op: Operation, policy: Policy | undefined): Strategy {
	return policy?.types?.[type] ?? policy?.default ?? defaultStrategy(op);
}

/** The replacement for one finding under a policy (falling back to the operation for unlisted types). */
export function applyStrategy(
	f: Finding,
	original: string,
	op: Operation,
	format: string,
	policy: Policy | undefined,
	surrogateContext: SurrogateContext | undefined,
): string {
	const s = strategyFor(f.type, op, policy);
	switch (s.strategy) {
		case 'keep':
			return original;
		case 'label':
			return formatRedaction(s.format ?? policy?.redactionFormat ?? format, f.type, original);
		case 'mask':
			return maskSameLength(original, s.char ?? '*');
		case 'fixedMask':
			return (s.char ?? '*').repeat(s.length ?? 8);
		case 'surrogate': {
			if (s.values?.length && surrogateContext) {
				// custom list: a keyed, consistent pick that never returns the original
				const b = surrogateContext.hash(`policy\u0000${f.type}\u0000${original.trim().toLowerCase()}`);
				let i = ((b[0] << 16) | (b[1] << 8) | b[2]) % s.values.length;
				if (s.values[i].toLowerCase() === original.toLowerCase() && s.values.length > 1) i = (i + 1) % s.values.length;
				return s.values[i];
			}
			if (!surrogateContext) throw new Error('surrogate replacement needs a surrogate context');
			return surrogateFor(f.type, original, surrogateContext);
		}
	}
}
