import type { CatalogKind } from '../context.js';
import { collationKind } from './collation.js';
import { columnKind } from './column.js';
import { compositeKind } from './composite.js';
import { constraintKind } from './constraint.js';
import { domainKind } from './domain.js';
import { enumKind } from './enum.js';
import { eventTriggerKind } from './event-trigger.js';
import { extensionKind } from './extension.js';
import { accessMethodKind, foreignDataWrapperKind, foreignServerKind, languageKind, userMappingKind } from './foreign.js';
import { aggregateKind } from './aggregate.js';
import { functionKind } from './function.js';
import { indexKind } from './index.js';
import { policyKind } from './policy.js';
import { operatorClassKind, operatorFamilyKind, operatorKind, textSearchParserKind, textSearchTemplateKind } from './operator.js';
import { privilegeKind } from './privilege.js';
import { defaultPrivilegeKind } from './default-privilege.js';
import { ownerKind } from './owner.js';
import { publicationKind } from './publication.js';
import { rangeKind } from './range.js';
import { relationKind } from './relation.js';
import { schemaKind } from './schema.js';
import { sequenceKind } from './sequence.js';
import { textSearchConfigurationKind, textSearchDictionaryKind } from './text-search.js';
import { triggerKind } from './trigger.js';
import { unhandledKind } from './unhandled.js';
import { ruleKind } from './rule.js';
import { statisticsKind } from './statistics.js';
import { castKind, conversionKind } from './cast.js';

/**
 * The catalogue kinds, in the order they are read: schemas first (every
 * per-schema query reads only their namespaces), relations before their
 * columns, columns before the constraints and indexes named from them. To
 * add a kind: write its query and mapper and put it here.
 */
export const CATALOG_KINDS: readonly CatalogKind<any>[] = [
  schemaKind,
  extensionKind,
  collationKind,
  textSearchDictionaryKind,
  textSearchConfigurationKind,
  enumKind,
  domainKind,
  compositeKind,
  rangeKind,
  sequenceKind,
  relationKind,
  columnKind,
  constraintKind,
  indexKind,
  functionKind,
  aggregateKind,
  triggerKind,
  policyKind,
  eventTriggerKind,
  publicationKind,
  ruleKind,
  statisticsKind,
  castKind,
  conversionKind,
  operatorKind,
  operatorFamilyKind,
  operatorClassKind,
  textSearchParserKind,
  textSearchTemplateKind,
  foreignDataWrapperKind,
  foreignServerKind,
  userMappingKind,
  languageKind,
  accessMethodKind,
  unhandledKind,
  privilegeKind,
  defaultPrivilegeKind,
  ownerKind,
];
