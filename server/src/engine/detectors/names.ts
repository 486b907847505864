import {
	CLINICAL, CREDENTIALS, DOCTOR_ROLES, DOCTOR_TITLES, HOSPITAL_WORDS, MONTHS, PERSON_CONTEXT_BEFORE, PERSON_TITLES,
	RELATIONS, STOPWORDS, STREET_SUFFIXES, UNITS, WEEKDAYS,
} from '../lexicon';
import type { Token } from '../tokenize';
import { isCapitalised } from '../tokenize';
import type { EntityType } from '../types';
import type { DetectContext, Emit } from './context';

/** What the dictionaries and lexicons say about one word token. */
interface WordInfo {
	/** The token's text without a possessive 's. */
	core: string;
	lower: string;
	first: boolean;
	firstRank: number;
	last: boolean;
	lastRank: number;
	other: boolean;
	/** English frequency tier (10 common … 70 rare), 99 when not an English word. */
	tier: number;
	/** Clinical term, stop word, unit, month or weekday: never a name by itself. */
	blocked: boolean;
	cap: boolean;
}

interface Candidate {
	type: EntityType;
	confidence: number;
	detector: string;
}

const NOT_NAME_AFTER_TITLE = new Set([...PERSON_CONTEXT_BEFORE, 'aware', 'here', 'in', 'at', 'came', 'saw', 'note', 'notes', 'order', 'orders', 'said', 'wants', 'will', 'would', 'ordered', 'note', 'service', 'team', 'office', 'on', 'of']);

export function wordInfo(t: Token, ctx: DetectContext): WordInfo {
	let core = t.text;
	let lower = t.lower;
	const poss = /['’]s$/i.exec(core);
	if (poss) {
		core = core.slice(0, -2);
		lower = lower.slice(0, -2);
	}
	const d = ctx.dicts;
	const fi = d.firstNames.get(lower);
	const li = d.lastNames.get(lower);
	const tier = d.englishWords.get(lower) ?? (ctx.language === 'es' && d.spanishWords.has(lower) ? 30 : 99);
	const blocked =
		lower.length < 2 ||
		CLINICAL.has(lower) ||
		STOPWORDS.has(lower) ||
		UNITS.has(lower) ||
		MONTHS.has(lower) ||
		WEEKDAYS.has(lower) ||
		CREDENTIALS.has(lower) ||
		HOSPITAL_WORDS.has(lower) ||
		(STREET_SUFFIXES.has(lower) && lower.length > 3) ||
		d.places.get(lower) === 'State' ||
		d.places.get(lower) === 'CountryOrRegion';
	return {
		core,
		lower,
		first: fi !== undefined || (ctx.language === 'es' && d.spanishNames.has(lower)),
		firstRank: fi?.rank ?? 1e6,
		last: li !== undefined,
		lastRank: li?.rank ?? 1e6,
		other: d.otherNames.has(lower),
		tier,
		blocked,
		cap: isCapitalised(core),
	};
}

/**
 * Person names. Evidence, strongest first: a title before (Dr., Mrs.), a credential after (", RN"), a relation
 * before ("daughter"), a known first name followed by a surname, a dictionary name that is not an ordinary
 * word and is capitalised where the document uses case; then chaining to neighbouring name-like words.
 */
export function detectNames(ctx: DetectContext, emit: Emit): void {
	const { tokens, casing } = ctx;
	const n = tokens.length;
	const info: (WordInfo | undefined)[] = new Array(n);
	for (let i = 0; i < n; i++) if (tokens[i].kind === 'w') info[i] = wordInfo(tokens[i], ctx);
	const cand: (Candidate | undefined)[] = new Array(n);
	const mark = (i: number, type: EntityType, confidence: number, detector: string) => {
		const c = cand[i];
		if (!c || c.confidence < confidence) cand[i] = { type, confidence, detector };
		else if (type === 'Doctor' && c.type === 'Patient' && confidence >= c.confidence - 0.1) c.type = 'Doctor';
	};
	const sameLine = (a: number, b: number) => !ctx.text.slice(tokens[a].end, tokens[b].start).includes('\n');
	const nextWordIdx = (i: number, allowPunct = ''): number => {
		let j = i + 1;
		while (j < n && tokens[j].kind === 'p' && allowPunct.includes(tokens[j].text)) j++;
		return j < n && tokens[j].kind === 'w' && sameLine(i, j) ? j : -1;
	};
	const prevWordIdx = (i: number, allowPunct = ''): number => {
		let j = i - 1;
		while (j >= 0 && tokens[j].kind === 'p' && allowPunct.includes(tokens[j].text)) j--;
		return j >= 0 && tokens[j].kind === 'w' && sameLine(j, i) ? j : -1;
	};
	const nameDict = (w: WordInfo) => w.first || w.last || w.other;
	const common = (w: WordInfo) => w.tier <= 50;
	/** Could this word be part of a name given some other evidence? */
	const nameable = (w: WordInfo, strength: 'strong' | 'medium') => {
		if (w.blocked) return false;
		if (strength === 'strong') return w.tier > 20 || nameDict(w) || (casing === 'mixed' && w.cap);
		if (casing === 'mixed' && !w.cap) return false;
		if (common(w) && !(casing === 'mixed' && w.cap && nameDict(w))) return false;
		return true;
	};

	for (let i = 0; i < n; i++) {
		const w = info[i];
		if (!w) continue;
		// 1. Titles: "Dr. Small", "MRS BROWN", "mr nicholson"
		if (DOCTOR_TITLES.has(w.lower) || PERSON_TITLES.has(w.lower)) {
			const j = nextWordIdx(i, '.');
			const wj = j >= 0 ? info[j] : undefined;
			if (wj && !STOPWORDS.has(wj.lower) && !NOT_NAME_AFTER_TITLE.has(wj.lower) && !(wj.tier <= 20 && !nameDict(wj) && !wj.cap) && !(casing === 'mixed' && !wj.cap && common(wj) && !nameDict(wj))) {
				if (!(UNITS.has(wj.lower) || CREDENTIALS.has(wj.lower))) {
					const isDoc = DOCTOR_TITLES.has(w.lower);
					// "Mr." alone is a title; the initial after it ("Mr. I") is a name too
					mark(j, isDoc ? 'Doctor' : 'Patient', 0.95, 'name-title');
				}
			} else if (j < 0) {
				// "Ms S." — an initial after a title
				const k = i + 1 < n && tokens[i + 1].text === '.' ? i + 2 : i + 1;
				if (k < n && tokens[k].kind === 'w' && tokens[k].text.length === 1 && isCapitalised(tokens[k].text)) {
					mark(k, DOCTOR_TITLES.has(w.lower) ? 'Doctor' : 'Patient', 0.85, 'name-title');
				}
			}
			if (wj && wj.core.length === 1 && /\p{Lu}/u.test(wj.core)) mark(j, DOCTOR_TITLES.has(w.lower) ? 'Doctor' : 'Patient', 0.85, 'name-title');
		}
		// 2. Credentials after: "Jane Roe, RN", "Smith MD"
		if (CREDENTIALS.has(w.lower) && (w.core === w.core.toUpperCase() || /^[A-Z]/.test(w.core)) && w.lower.length >= 2) {
			const j = prevWordIdx(i, ',');
			// Two-letter credentials that are also state codes or words (PA, DO, MD) need a comma or a known name before them.
			const ambiguous = ctx.dicts.stateAbbreviations.has(w.core.toUpperCase()) || w.lower === 'do';
			const comma = j >= 0 && ctx.text.slice(tokens[j].end, tokens[i].start).includes(',');
			const zipAfter = /^[ \t]{1,3}\d{5}/.test(ctx.text.slice(tokens[i].end, tokens[i].end + 9));
			if (ambiguous && (zipAfter || (!comma && !(j >= 0 && info[j] && (info[j]!.first || info[j]!.last) && info[j]!.tier > 50)))) continue;
			const wj = j >= 0 ? info[j] : undefined;
			if (wj && nameable(wj, 'strong') && !DOCTOR_ROLES.has(wj.lower) && (nameDict(wj) || wj.cap || wj.tier > 50)) {
				mark(j, 'Doctor', 0.9, 'name-credential');
			}
		}
		// 3. Relations: "daughter Emily", "pt's wife: Rose", "Husband Rich"
		if (RELATIONS.has(w.lower)) {
			const j = nextWordIdx(i, ':,-(');
			const wj = j >= 0 ? info[j] : undefined;
			if (wj && !wj.blocked && !STOPWORDS.has(wj.lower)) {
				const capOk = casing !== 'mixed' || wj.cap;
				const next = nextWordIdx(j);
				const followedByName = next >= 0 && info[next] && nameDict(info[next]!) && !info[next]!.blocked && (casing !== 'mixed' || info[next]!.cap);
				if (capOk && (!common(wj) || followedByName || (casing === 'mixed' && wj.cap && nameDict(wj)))) {
					if (nameDict(wj) || wj.tier > 50 || followedByName) mark(j, 'Patient', 0.85, 'name-relation');
				}
			}
		}
		// 4. Clinician roles and "seen by / per / paged" context
		if (DOCTOR_ROLES.has(w.lower) || PERSON_CONTEXT_BEFORE.has(w.lower)) {
			let j = nextWordIdx(i, ':,');
			if (j >= 0 && ['with', 'by', 'to', 'from'].includes(info[j]!.lower)) j = nextWordIdx(j);
			const wj = j >= 0 ? info[j] : undefined;
			if (wj && (wj.first || wj.other || wj.last) && !wj.blocked && !common(wj) && (casing !== 'mixed' || wj.cap)) {
				mark(j, DOCTOR_ROLES.has(w.lower) || PERSON_CONTEXT_BEFORE.has(w.lower) ? 'Doctor' : 'Patient', 0.8, 'name-context');
			}
		}
		// 5. Dictionary evidence
		if (!w.blocked && w.core.length >= 2 && nameDict(w)) {
			const j = nextWordIdx(i);
			const wj = j >= 0 ? info[j] : undefined;
			const fullName =
				w.first && !common(w) && wj && !wj.blocked && (wj.last || wj.other || (wj.tier > 50 && (casing !== 'mixed' || wj.cap))) && (casing !== 'mixed' || (w.cap && wj.cap));
			if (fullName && wj && (!common(wj) || (casing === 'mixed' && wj.cap))) {
				mark(i, 'Patient', 0.85, 'name-full');
				mark(j, 'Patient', 0.85, 'name-full');
			} else if (!common(w)) {
				let conf: number;
				if (casing === 'mixed') {
					// Short all-capital words in normal text are abbreviations (IP, ED, OR), not names.
					if (!w.cap || (w.core.length <= 3 && w.core === w.core.toUpperCase())) conf = 0;
					else {
						const prev = prevToken(tokens, i);
						const sentenceStart = !prev || /[.!?:\n]/.test(ctx.text.slice(prev.end, tokens[i].start)) || ['.', '!', '?', ':', '-', '*', '(', '"'].includes(prev.text);
						conf = w.first ? 0.72 : w.last && w.lastRank < 30000 ? 0.62 : 0.55;
						if (sentenceStart) conf -= 0.1;
						if (w.tier <= 60) conf -= 0.1;
					}
				} else {
					conf = w.first && w.firstRank < 2000 ? 0.6 : w.last && w.lastRank < 20000 ? 0.5 : 0.45;
					if (w.tier <= 60) conf -= 0.1;
				}
				if (conf > 0) mark(i, 'Patient', conf, 'name-dict');
			}
		}
	}

	// 6. Chains: extend names to neighbouring name-like words and initials ("Marie Munroe", "M. Okafor", "Rossetti").
	for (let pass = 0; pass < 2; pass++) {
		for (let i = 0; i < n; i++) {
			const c = cand[i];
			if (!c || c.confidence < 0.5) continue;
			for (const dir of [1, -1] as const) {
				const j = dir === 1 ? nextWordIdx(i, '.') : prevWordIdx(i, '.');
				if (j < 0 || cand[j]) continue;
				const wj = info[j]!;
				const initial = wj.core.length === 1 && /\p{Lu}/u.test(wj.core) && (dir === -1 || tokens[j + 1]?.text === '.');
				const plainNeighbour = dir === 1 ? j === nextWordIdx(i) : j === prevWordIdx(i);
				if (initial && plainNeighbour) {
					mark(j, c.type, c.confidence - 0.05, 'name-chain');
					continue;
				}
				if (!plainNeighbour || wj.blocked || STOPWORDS.has(wj.lower) || DOCTOR_ROLES.has(wj.lower) || RELATIONS.has(wj.lower)) continue;
				if (DOCTOR_TITLES.has(wj.lower) || PERSON_TITLES.has(wj.lower)) continue;
				const capOk = casing !== 'mixed' || wj.cap;
				const unknown = wj.tier > 50 && wj.core.length >= 2;
				if (capOk && (unknown || (nameDict(wj) && (!common(wj) || (casing === 'mixed' && wj.cap))))) {
					mark(j, c.type, Math.min(c.confidence, 0.85) - 0.05, 'name-chain');
				}
			}
		}
	}

	// Emit runs of name words ("Marie Munroe", "M. Okafor", "OKAFOR, MARGARET") as one finding, typed Doctor when
	// any word has clinician evidence.
	for (let i = 0; i < n; i++) {
		const c = cand[i];
		if (!c) continue;
		let type = c.type;
		let conf = c.confidence;
		let detector = c.detector;
		let j = i;
		for (;;) {
			const k = nextWordIdx(j, '.,');
			if (k < 0 || !cand[k]) break;
			const gap = ctx.text.slice(tokens[j].end, tokens[k].start);
			const afterInitial = info[j]!.core.length === 1 && /^\.[ \t]*$/.test(gap);
			const lastFirst = /^,[ \t]*$/.test(gap) && casing !== 'mixed' ? true : /^,[ \t]*$/.test(gap) && info[k]!.first && info[j]!.last;
			if (!/^[ \t]+$/.test(gap) && !afterInitial && !lastFirst) break;
			if (cand[k]!.type === 'Doctor') type = 'Doctor';
			if (cand[k]!.confidence > conf) {
				conf = cand[k]!.confidence;
				detector = cand[k]!.detector;
			}
			j = k;
		}
		emit(tokens[i].start, tokens[j].start + info[j]!.core.length, type, conf, detector);
		i = j;
	}
}

function prevToken(tokens: readonly Token[], i: number): Token | undefined {
	return i > 0 ? tokens[i - 1] : undefined;
}
