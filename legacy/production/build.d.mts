/** One step of recipe.json, resolved. */
export interface RecipeStep {
  /** Path of the SQL file, relative to legacy/production/. */
  sql: string;
  /** The legacy script whose effect the step reproduces, relative to legacy/; null for none. */
  from: string | null;
  what: string;
  /** Absolute path of the SQL file. */
  path: string;
  /** The SQL text. */
  text: string;
}
export function recipeSteps(): RecipeStep[];
export function applyRecipe(execute: (sql: string, step: RecipeStep) => Promise<unknown>): Promise<string[]>;
export function buildProduction(url: string, options?: { pg?: unknown }): Promise<string[]>;
