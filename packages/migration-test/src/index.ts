/**
 * `@strata/migration-test`: test the migrations themselves on a shadow
 * database (single head, upgrade, stairway, models, downgrade to base).
 * The API lands in the next commit.
 */
export {};
