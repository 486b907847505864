import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { surrogateFor, type EntityType, type SurrogateContext } from '../../server/src/engine';
import { FACILITY_WORDS, NAME_CONNECTORS } from '../../server/src/engine/detect/lexicon';
import { hmacHash } from '../../server/src/node/hash';
import { indexDictionariesFromJson } from '../../server/src/node/dictionaries';
import { dicts } from '../helpers/engine';
import { mulberry32 } from '../../bench/random.mjs';

// Surrogates are drawn from pools of real-looking words and keep their type's shape: a hospital stays a hospital,
// an age keeps its unit word, a street keeps its type and number; no word is a scramble of letters.

const raw = dicts.raw;
// the packed tables answer look-ups only; the JSON's index lists every word
const indexed = indexDictionariesFromJson();
const es = raw.locales!['es-ES'];
const en = raw.locales!['en-US'];
const clean = (w: string) => w.toLowerCase().replace(/^[("']+|[)"',.;:]+$/g, '');
const words = (l: readonly string[]) => l.flatMap((x) => x.split(/\s+/).map(clean));
/** Every word a surrogate may be made of: dictionary words, name and place pools, generic facility words. */
const KNOWN = new Set<string>([
	...indexed.englishWords.keys(), ...indexed.firstNames.keys(), ...indexed.lastNames.keys(), ...indexed.otherNames, ...indexed.spanishNames,
	...words(raw.cities), ...words(raw.firstMale), ...words(raw.firstFemale), ...words(raw.last),
	...Object.values(raw.locales!).flatMap((l) => [...words(l.male), ...words(l.female), ...words(l.last), ...words(l.cities), ...words(l.streetTypes ?? []), ...words(l.companySuffixes ?? [])]),
	...words([...(raw.spareNames?.male ?? []), ...(raw.spareNames?.female ?? []), ...(raw.spareNames?.last ?? [])]),
	...FACILITY_WORDS, ...NAME_CONNECTORS, 'saint', 'san', 'santa', 'medical', 'center', 'system', '&',
]);
const unknownWords = (v: string) => v.split(/\s+/).map(clean).filter((w) => w && /\p{L}/u.test(w) && !KNOWN.has(w) && !/^\d/.test(w));

const SEEDS = [11, 12, 13];
function context(locale: string): SurrogateContext {
	return { dicts, hash: hmacHash(Buffer.alloc(32, 9)), dateShiftDays: 17, locale };
}

interface Case { type: EntityType; locale: string; value: string; check: (out: string) => string | undefined }

/** One generated family of values per type and locale; `check` names what is wrong, or undefined. */
function generate(rnd: () => number): Case[] {
	const pick = <T>(l: readonly T[]) => l[Math.floor(rnd() * l.length)];
	const num = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
	const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
	const out: Case[] = [];
	for (const locale of ['en-US', 'es-ES']) {
		const isEs = locale === 'es-ES';
		const loc = isEs ? es : en;
		const proper = () => (rnd() < 0.5 ? pick(loc.last) : pick(loc.cities));
		// facilities with a head word: the head word stays where it was
		const enHeads = ['Hospital', 'Medical Center', 'Clinic', 'Health System', 'Memorial Hospital', 'Rehabilitation Hospital'];
		const esHeads = ['Hospital', 'Clínica', 'Hospital Universitario', 'Centro de Salud', 'Hospital General'];
		{
			const head = pick(isEs ? esHeads : enHeads);
			const value = isEs ? `${head} ${proper()}` : `${proper()} ${head}`;
			out.push({ type: 'Hospital', locale, value, check: (o) => (isEs ? o.startsWith(head + ' ') : o.endsWith(' ' + head)) ? undefined : `head word "${head}" lost` });
		}
		{
			const value = proper();
			out.push({ type: 'Hospital', locale, value, check: (o) => (o.split(/\s+/).some((w) => FACILITY_WORDS.has(w.toLowerCase())) ? undefined : 'no facility head word') });
		}
		{
			const head = pick(isEs ? ['Biblioteca Municipal', 'Museo', 'Fundación', 'Colegio'] : ['County Library', 'Public Library', 'Memorial School', 'Foundation', 'Inc', 'LLC']);
			const value = isEs ? `${head} ${proper()}` : `${proper()} ${head}`;
			out.push({ type: 'Organization', locale, value, check: (o) => ((isEs ? o.startsWith(head + ' ') : o.endsWith(' ' + head)) ? undefined : `head "${head}" lost`) });
		}
		out.push({ type: 'Organization', locale, value: pick(loc.last), check: () => undefined });
		{
			const head = pick(isEs ? ['Parque', 'Cementerio', 'Estación'] : ['Park', 'Cemetery', 'County Library', 'Station']);
			const value = isEs ? `${head} ${proper()}` : `${proper()} ${head}`;
			out.push({ type: 'LocationOther', locale, value, check: (o) => ((isEs ? o.startsWith(head + ' ') : o.endsWith(' ' + head)) ? undefined : `head "${head}" lost`) });
		}
		// ages: the unit word stays, only the number changes; over 89 generalises
		{
			const unit = pick(isEs ? ['años', 'meses', 'semanas', 'año'] : ['years', 'y/o', 'yo', 'year-old', 'months', 'yrs']);
			const n = num(1, 110);
			const sep = unit === 'year-old' ? '-' : ' ';
			const value = `${n}${sep}${unit}`;
			out.push({
				type: 'Age', locale, value,
				check: (o) => {
					if (n > 89) return o === `90+${sep}${unit}` ? undefined : 'an age over 89 must generalise';
					const m = /^(\d+)(.*)$/.exec(o);
					if (!m || m[2] !== `${sep}${unit}`) return 'unit word changed';
					return Number(m[1]) <= 89 && !(m[1].length > 1 && m[1][0] === '0') ? undefined : 'implausible age';
				},
			});
		}
		// streets of the locale's shape
		if (isEs) {
			const t = pick(['Calle', 'Avenida', 'Plaza', 'Paseo']);
			const value = `${t} ${pick(['de ', 'del ', 'de la ', ''])}${cap(pick([...es.last, ...es.male, ...es.female]))} ${num(1, 250)}`;
			out.push({ type: 'Street', locale, value, check: (o) => (new RegExp(`^${t} de \\S.* \\d+$`, 'u').test(o) ? undefined : 'not "<Type> de <name> <number>"') });
			const bare = `${cap(pick(es.last))} ${num(1, 99)}`;
			out.push({ type: 'Street', locale, value: bare, check: (o) => (/^\p{Lu}\p{L}+ de \S.* \d+$/u.test(o) ? undefined : 'not "<Type> de <name> <number>"') });
		} else {
			const t = pick(['Street', 'Avenue', 'Road', 'Drive', 'Lane', 'St.', 'Ave']);
			const value = `${num(1, 9999)} ${pick(raw.last.slice(0, 3000))} ${t}`;
			out.push({ type: 'Street', locale, value, check: (o) => (new RegExp(`^[1-9]\\d* \\S.* ${t.replace('.', '\\.')}$`).test(o) ? undefined : 'not "<number> <name> <type>"') });
			const noNumber = `${pick(raw.last.slice(0, 3000))} ${t}`;
			out.push({ type: 'Street', locale, value: noNumber, check: (o) => (o.endsWith(' ' + t) ? undefined : 'type word lost') });
		}
		out.push({ type: 'City', locale, value: pick(loc.cities), check: () => undefined });
		out.push({ type: 'Patient', locale, value: `${pick(loc.female)} ${pick(loc.last)}`, check: () => undefined });
		out.push({ type: 'Doctor', locale, value: `${pick(loc.male)} ${pick(loc.last)} ${pick(loc.last)}`, check: () => undefined });
	}
	return out;
}

describe('surrogates look real and keep their type', () => {
	for (const seed of SEEDS) {
		it(`seed ${seed}: 300 generated families, both locales`, () => {
			const rnd = mulberry32(seed);
			const problems: string[] = [];
			for (let round = 0; round < 300 && problems.length < 5; round++) {
				for (const c of generate(rnd)) {
					const o = surrogateFor(c.type, c.value, context(c.locale));
					const why = o.toLowerCase() === c.value.toLowerCase() ? 'unchanged' : c.check(o) ?? (['Age'].includes(c.type) ? undefined : unknownWords(o).length ? `words from no pool: ${unknownWords(o).join(', ')}` : undefined);
					if (why) problems.push(`seed ${seed} round ${round} ${c.type} ${c.locale}: ${JSON.stringify(c.value)} → ${JSON.stringify(o)}: ${why}`);
				}
			}
			assert.deepEqual(problems, [], `seed ${seed}`);
		});
	}

	it('the issue\'s examples keep their type', () => {
		const h = surrogateFor('Hospital', 'Mercy Hospital', context('en-US'));
		assert.match(h, / Hospital$/);
		assert.match(surrogateFor('Age', '67 años', context('es-ES')), /^\d{1,2} años$/);
		assert.match(surrogateFor('Street', 'Calle del Pilar 14', context('es-ES')), /^Calle de \p{L}.* \d+$/u);
	});
});
