import { aggregateKind } from './aggregate.js';
import { collationKind } from './collation.js';
import { commentKind } from './comment.js';
import { compositeKind } from './composite.js';
import { constraintKind } from './constraint.js';
import { domainKind } from './domain.js';
import { enumKind } from './enum.js';
import { eventTriggerKind } from './event-trigger.js';
import { extensionKind } from './extension.js';
import { foreignKind } from './foreign.js';
import { functionKind } from './function.js';
import { functionBodiesKind } from './function-bodies.js';
import { indexKind, replicaIdentityKind } from './index.js';
import { languageKind } from './language.js';
import type { PlanKind } from './kind.js';
import { operatorKind } from './operator.js';
import { operatorClassKind } from './operator-class.js';
import { policyKind } from './policy.js';
import { privilegeKind } from './privilege.js';
import { defaultPrivilegeKind } from './default-privilege.js';
import { ownerKind } from './owner.js';
import { publicationKind } from './publication.js';
import { rangeKind } from './range.js';
import { removedTypesKind } from './removed-types.js';
import { schemaKind } from './schema.js';
import { sequenceKind } from './sequence.js';
import { tableKind } from './table.js';
import { textSearchKind } from './text-search.js';
import { textSearchParserKind } from './text-search-parser.js';
import { triggerKind } from './trigger.js';
import { viewKind } from './view.js';
import { ruleKind } from './rule.js';
import { statisticsKind } from './statistics.js';
import { castKind } from './cast.js';

/**
 * The kinds, in the order they are planned. A kind may read the facts of the
 * kinds above it (context.ts names each fact's writer): types before the
 * functions whose signatures use them, functions before the defaults,
 * constraints and indexes that call them, tables before constraints, indexes
 * and views, everything before comments. Within a phase, statements keep this
 * order. To add a kind: write its module and put it here.
 */
export const KINDS: readonly PlanKind[] = [
  schemaKind,
  extensionKind,
  textSearchKind,
  collationKind,
  enumKind,
  rangeKind,
  domainKind,
  compositeKind,
  removedTypesKind,
  functionKind,
  aggregateKind,
  operatorKind,
  operatorClassKind,
  textSearchParserKind,
  sequenceKind,
  tableKind,
  constraintKind,
  indexKind,
  replicaIdentityKind,
  viewKind,
  triggerKind,
  policyKind,
  publicationKind,
  eventTriggerKind,
  ruleKind,
  statisticsKind,
  castKind,
  foreignKind,
  languageKind,
  commentKind,
  privilegeKind,
  defaultPrivilegeKind,
  ownerKind,
  functionBodiesKind,
];
