/** Why the controller refused one field of a form, whatever the form. */
import { defineCatalog } from '../../../protocol/index.js';

export const fieldProblemCatalog = defineCatalog(
  {
    problem: '{field}: {reason, select, required {this field is required.} tooShort {at least {limit, number} characters are needed.} tooLong {at most {limit, number} characters are allowed.} tooManyBytes {this text is too long (at most {limit, number} bytes).} tooSmall {the smallest value allowed is {limit, number}.} tooLarge {the largest value allowed is {limit, number}.} tooMany {at most {limit, number} are allowed.} format {{hint}} notOneOf {choose one of the values offered.} other {this value is not accepted.}}',
    formatText: 'it contains a character that is not allowed (a control character).',
  },
  {
    problem: "{field}\u00a0: {reason, select, required {ce champ est obligatoire.} tooShort {il faut au moins {limit, number} caractères.} tooLong {{limit, number} caractères au plus.} tooManyBytes {ce texte est trop long ({limit, number} octets au plus).} tooSmall {la plus petite valeur permise est {limit, number}.} tooLarge {la plus grande valeur permise est {limit, number}.} tooMany {{limit, number} au plus.} format {{hint}} notOneOf {choisissez l'une des valeurs proposées.} other {cette valeur n'est pas acceptée.}}",
    formatText: "il contient un caractère non autorisé (un caractère de contrôle).",
  },
);
