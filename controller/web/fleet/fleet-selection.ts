/** The devices chosen on the Fleet page, kept while the technician moves between pages (e.g. to pick a script). */
export const fleetSelection = new Set<string>();
