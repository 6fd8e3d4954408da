/**
 * Built-in scripts in the technician's language. The library stores the English
 * words the migrations seeded; a built-in script whose title, description or
 * parameter description is still exactly that English text is shown with the
 * catalog's words in the reader's language. Anything an administrator edited is
 * shown as written.
 */
import { translator, type Language, type Script } from '../../../protocol/index.js';
import { scriptsCatalog } from './scripts-catalog.js';

type Key = keyof typeof scriptsCatalog.en;

const camel = (name: string) => name.toLowerCase().replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const key = (name: string, part: string): Key | undefined => {
  const k = `${camel(name)}${part}`;
  return k in scriptsCatalog.en ? (k as Key) : undefined;
};

const english = translator(scriptsCatalog, 'en');

/** A built-in script's English words by name (what the seed writes): title, description, and each parameter's description. */
export function starterWords(name: string, language: Language = 'en'): { title: string; description: string; parameter(name: string): string } {
  const words = language === 'en' ? english : translator(scriptsCatalog, language);
  const title = key(name, 'Title');
  const description = key(name, 'Description');
  if (!title || !description) throw new Error(`no catalog words for the starter script ${name}`);
  return {
    title: words(title),
    description: words(description),
    parameter(parameter) {
      const k = key(name, `Param${parameter.charAt(0)}${parameter.slice(1).toLowerCase()}`);
      if (!k) throw new Error(`no catalog words for parameter ${parameter} of ${name}`);
      return words(k);
    },
  };
}

/** A script as a technician reading `language` sees it. */
export function scriptInLanguage(script: Script, language: Language): Script {
  if (language === 'en' || !script.builtIn || !key(script.name, 'Title')) return script;
  const en = starterWords(script.name, 'en');
  const local = starterWords(script.name, language);
  const parameter = (name: string, text: string) => {
    try {
      return text === en.parameter(name) ? local.parameter(name) : text;
    } catch {
      return text;
    }
  };
  return {
    ...script,
    title: script.title === en.title ? local.title : script.title,
    description: script.description === en.description ? local.description : script.description,
    parameters: script.parameters.map((p) => ({ ...p, description: parameter(p.name, p.description) })),
  };
}
