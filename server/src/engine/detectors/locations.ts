import { CLINICAL, HOSPITAL_WORDS, ORG_SUFFIXES, PLACE_VERBS, PROFESSIONS, STOPWORDS, STREET_SUFFIXES, UNITS } from '../lexicon';
import { isCapitalised } from '../tokenize';
import type { DetectContext, Emit } from './context';

const PLACE_PREPS = new Set(['in', 'from', 'to', 'at', 'near', 'of', 'en', 'de', 'desde', 'a']);
const HOSPITAL_HEADS = new Set([...HOSPITAL_WORDS, 'memorial', 'general', 'medical']);
const NAME_PREFIXES = new Set(['st', 'st.', 'saint', 'mount', 'mt', 'san', 'santa', 'santo', 'sainte', 'fort', 'ft', 'port', 'new', 'north', 'south', 'east', 'west', 'lake', 'la', 'el', 'los', 'las', 'del', 'de']);

/**
 * Places: hospitals and facilities ("Calvert Hospital", "Holy Cross Rehab"), street addresses, cities, states and
 * countries from the gazetteer, and unknown words after movement verbs ("transferred to Quartermain").
 */
export function detectLocations(ctx: DetectContext, emit: Emit): void {
	detectFacilities(ctx, emit);
	detectStreets(ctx, emit);
	detectGazetteer(ctx, emit);
	detectMovementTargets(ctx, emit);
}

function isNameish(ctx: DetectContext, i: number): boolean {
	const t = ctx.tokens[i];
	if (t.kind !== 'w') return false;
	if (STOPWORDS.has(t.lower) || CLINICAL.has(t.lower) || UNITS.has(t.lower)) return false;
	if (ctx.casing === 'mixed' && !isCapitalised(t.text)) return false;
	return true;
}

function sameLine(ctx: DetectContext, a: number, b: number): boolean {
	return !ctx.text.slice(ctx.tokens[a].end, ctx.tokens[b].start).includes('\n');
}

function detectFacilities(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w' || !HOSPITAL_HEADS.has(t.lower)) continue;
		if (ctx.casing === 'mixed' && !isCapitalised(t.text)) continue;
		// Walk left over up to four name-like words ("Holy Cross", "St. Mary's")
		let j = i - 1;
		let first = -1;
		let words = 0;
		while (j >= 0 && words < 4) {
			const tj = tokens[j];
			if (tj.text === '.' && j > 0 && ['st', 'mt', 'ft'].includes(tokens[j - 1].lower)) {
				j--;
				continue;
			}
			if (tj.kind === 'p' && tj.text !== "'" ) break;
			if (!sameLine(ctx, j, i)) break;
			if (HOSPITAL_HEADS.has(tj.lower)) {
				j--;
				continue;
			}
			if (!isNameish(ctx, j) && !NAME_PREFIXES.has(tj.lower)) break;
			if (ctx.dicts.englishWords.get(tj.lower)! <= 20 && !NAME_PREFIXES.has(tj.lower) && ctx.casing !== 'mixed') break;
			first = j;
			words++;
			j--;
		}
		if (first >= 0) {
			// The name part only: "Hospital" itself identifies no one.
			let end = i - 1;
			while (end > first && (HOSPITAL_HEADS.has(tokens[end].lower) || tokens[end].kind === 'p')) end--;
			emit(tokens[first].start, tokens[end].end, 'Hospital', 0.85, 'facility');
		}
		// "Hospital of the University of X", "Clínica San Juan"
		let k = i + 1;
		if (k < tokens.length && ['of', 'de', 'del'].includes(tokens[k].lower)) {
			k++;
			if (k < tokens.length && ['the', 'la', 'el'].includes(tokens[k].lower)) k++;
		}
		const startK = k;
		let endK = -1;
		let words2 = 0;
		while (k < tokens.length && words2 < 4 && sameLine(ctx, i, k) && (isNameish(ctx, k) || NAME_PREFIXES.has(tokens[k].lower)) && !HOSPITAL_HEADS.has(tokens[k].lower)) {
			if (ctx.casing !== 'mixed' && (ctx.dicts.englishWords.get(tokens[k].lower) ?? 99) <= 35 && !NAME_PREFIXES.has(tokens[k].lower)) break;
			endK = k;
			words2++;
			k++;
		}
		if (endK >= startK && endK >= 0 && (first < 0 || ctx.language === 'es' || tokens[i + 1]?.lower === 'of')) {
			emit(tokens[startK].start, tokens[endK].end, 'Hospital', 0.75, 'facility');
		}
	}
}

function detectStreets(ctx: DetectContext, emit: Emit): void {
	const { tokens, text } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		// "123 Main Street", "45 N. Elm St."
		if (t.kind === 'n' && t.text.length <= 6) {
			let j = i + 1;
			let words = 0;
			let suffix = -1;
			while (j < tokens.length && words < 5 && sameLine(ctx, i, j)) {
				const tj = tokens[j];
				if (tj.text === '.') {
					j++;
					continue;
				}
				if (tj.kind !== 'w' && !(tj.kind === 'n' && /^\d+(st|nd|rd|th)?$/.test(tj.text))) break;
				if (words > 0 && STREET_SUFFIXES.has(tj.lower)) {
					suffix = j;
					break;
				}
				if (ctx.casing === 'mixed' && tj.kind === 'w' && !isCapitalised(tj.text)) break;
				if (STOPWORDS.has(tj.lower) || UNITS.has(tj.lower)) break;
				words++;
				j++;
			}
			if (suffix > 0) {
				let end = tokens[suffix].end;
				if (text[end] === '.') end++;
				// Apartment/unit: "Apt 4B", "#12", "Suite 300"
				const unit = /^,?[ \t]{1,3}(?:apt\.?|apartment|unit|suite|ste\.?|#|piso|puerta)[ \t]{0,2}#?[A-Za-z0-9-]{1,6}/i.exec(text.slice(end, end + 24));
				if (unit) end += unit[0].length;
				emit(t.start, end, 'Street', 0.9, 'street');
			}
		}
		// "Calle Mayor 12", "C/ Alcalá, 45", "Avda. de la Paz nº 3"
		if (t.kind === 'w' && (['calle', 'avenida', 'avda', 'paseo', 'plaza', 'camino', 'carretera', 'ronda', 'travesía', 'rue', 'via'].includes(t.lower) || (t.lower === 'c' && tokens[i + 1]?.text === '/'))) {
			if (ctx.casing === 'mixed' && !isCapitalised(t.text)) continue;
			let j = i + 1;
			if (tokens[j]?.text === '/' || tokens[j]?.text === '.') j++;
			let words = 0;
			let last = -1;
			while (j < tokens.length && words < 6 && sameLine(ctx, i, j)) {
				const tj = tokens[j];
				if (tj.kind === 'w' && (isCapitalised(tj.text) || ['de', 'del', 'la', 'las', 'los', 'el', 'y'].includes(tj.lower))) {
					last = j;
					words++;
					j++;
					continue;
				}
				break;
			}
			if (last < 0) continue;
			let end = tokens[last].end;
			const num = /^,?[ \t]{0,2}(?:n[º°o]\.?|núm\.?|num\.?)?[ \t]{0,2}\d{1,4}[A-Za-z]?/.exec(text.slice(end, end + 16));
			if (num) end += num[0].length;
			emit(t.start, end, 'Street', num ? 0.9 : 0.7, 'street');
		}
	}
}

function detectGazetteer(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts, casing } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i].kind !== 'w') continue;
		// Greedy: longest place name starting here (up to maxPlaceWords words).
		let best = -1;
		let bestKind: 'City' | 'State' | 'CountryOrRegion' | undefined;
		let key = '';
		let j = i;
		for (let w = 0; w < dicts.maxPlaceWords && j < tokens.length; w++) {
			const tj = tokens[j];
			if (tj.kind !== 'w' || (w > 0 && !sameLine(ctx, i, j))) break;
			key = w === 0 ? tj.lower : key + ' ' + tj.lower;
			const kind = dicts.places.get(key);
			if (kind) {
				best = j;
				bestKind = kind;
			}
			j++;
			if (tokens[j]?.text === '.' && w === 0 && ['st', 'mt', 'ft'].includes(tj.lower)) {
				key += '.';
				j++;
			}
		}
		if (best < 0 || !bestKind) continue;
		const words = best - i + 1;
		const first = tokens[i];
		const all = tokens.slice(i, best + 1).filter((t) => t.kind === 'w');
		const capOk = casing !== 'mixed' || all.every((t) => isCapitalised(t.text) || ['of', 'de', 'del', 'la', 'the', 'and', 'y'].includes(t.lower));
		if (!capOk) continue;
		const lowerFirst = first.lower;
		if (words === 1 && (CLINICAL.has(lowerFirst) || STOPWORDS.has(lowerFirst) || UNITS.has(lowerFirst) || lowerFirst.length < 3)) continue;
		const tier = words === 1 ? dicts.englishWords.get(lowerFirst) ?? 99 : 99;
		const before = i > 0 ? tokens[i - 1].lower : '';
		const afterComma = tokens[best + 1]?.text === ',' && tokens[best + 2] && (dicts.stateAbbreviations.has(tokens[best + 2].text) || dicts.places.get(tokens[best + 2].lower) === 'State');
		const prepContext = PLACE_PREPS.has(before) || PLACE_VERBS.has(before);
		let conf: number;
		if (bestKind === 'CountryOrRegion' || bestKind === 'State') {
			conf = tier <= 35 ? (prepContext && casing === 'mixed' ? 0.6 : 0) : 0.85;
		} else if (afterComma) {
			conf = 0.9;
		} else if (tier <= 50) {
			conf = prepContext && casing === 'mixed' && ctx.dicts.firstNames.get(lowerFirst) === undefined ? 0.55 : 0;
		} else if (casing === 'mixed') {
			conf = prepContext ? 0.8 : words > 1 ? 0.7 : 0.6;
		} else {
			conf = prepContext ? 0.65 : words > 1 ? 0.55 : 0.4;
		}
		if (conf > 0) emit(first.start, tokens[best].end, bestKind, conf, 'gazetteer');
		i = best;
	}
}

/** "transferred to X", "arrived from X": an unknown word there is a facility, ward or town. */
function detectMovementTargets(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w' || !PLACE_VERBS.has(t.lower)) continue;
		let j = i + 1;
		if (j < tokens.length && ['to', 'from', 'at', 'in', 'into', 'via', 'back'].includes(tokens[j].lower)) j++;
		if (j < tokens.length && tokens[j].lower === 'to') j++;
		if (j < tokens.length && ['the', 'a'].includes(tokens[j].lower)) j++;
		let k = j;
		let words = 0;
		while (k < tokens.length && words < 3 && tokens[k].kind === 'w' && sameLine(ctx, i, k)) {
			const tk = tokens[k];
			const tier = dicts.englishWords.get(tk.lower) ?? 99;
			if (CLINICAL.has(tk.lower) || STOPWORDS.has(tk.lower) || UNITS.has(tk.lower) || tier <= 60 || HOSPITAL_WORDS.has(tk.lower)) break;
			if (ctx.casing === 'mixed' && !isCapitalised(tk.text)) break;
			if (dicts.firstNames.has(tk.lower) && words === 0 && ctx.casing !== 'upper') break;
			words++;
			k++;
		}
		if (words > 0) emit(tokens[j].start, tokens[k - 1].end, 'LocationOther', 0.6, 'place-context');
	}
}

/** Professions ("works as a teacher", "retired carpenter") and organisations ("Acme Corp", "works at X"). */
export function detectOccupations(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		// Profession after a cue
		if (['as', 'retired', 'former', 'occupation', 'profession', 'employed', 'job', 'como', 'profesión', 'profesion', 'jubilado', 'jubilada', 'ex'].includes(t.lower)) {
			let j = i + 1;
			while (j < tokens.length && (tokens[j].text === ':' || ['a', 'an', 'the', 'un', 'una', 'de'].includes(tokens[j].lower))) j++;
			if (j < tokens.length && PROFESSIONS.has(tokens[j].lower)) {
				const cueOk = t.lower !== 'as' || /\b(?:work(?:s|ed|ing)?|employed|job|served)\s{1,3}as\s*$/i.test(ctx.text.slice(Math.max(0, t.start - 16), t.end));
				if (cueOk) emit(tokens[j].start, tokens[j].end, 'Profession', 0.8, 'profession');
			}
		}
		// Organisation by suffix: "Acme Corp", "Boston University"
		if (ORG_SUFFIXES.has(t.lower) && i > 0 && isCapitalised(t.text)) {
			let j = i - 1;
			let first = -1;
			while (j >= 0 && i - j <= 4 && tokens[j].kind === 'w' && isCapitalised(tokens[j].text) && !STOPWORDS.has(tokens[j].lower)) {
				first = j;
				j--;
			}
			if (first >= 0) emit(tokens[first].start, t.end, 'Organization', 0.75, 'organization');
		}
		// "works at X", "employed by X", "trabaja en X"
		if (['at', 'for', 'by', 'en', 'para'].includes(t.lower) && i > 0 && /^(?:works?|worked|working|employed|trabaja|trabajó|trabajaba)$/i.test(tokens[i - 1].text)) {
			let j = i + 1;
			let last = -1;
			while (j < tokens.length && j - i <= 4 && tokens[j].kind === 'w' && isCapitalised(tokens[j].text) && !STOPWORDS.has(tokens[j].lower)) {
				last = j;
				j++;
			}
			if (last > i) emit(tokens[i + 1].start, tokens[last].end, 'Organization', 0.7, 'organization');
		}
	}
}
