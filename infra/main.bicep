// acr-autopilot: Function App (Flex Consumption, Node 22) with storage queues and tables, a
// user-assigned identity with least-privilege roles, Key Vault for secrets, Application Insights +
// Log Analytics, and the registry's Event Grid system topic + subscription (and optionally the ACR
// webhooks, one per replica region when geo-replicated).
//
// Two phases, because Event Grid validates the endpoint when the subscription is created:
//   1. azd up                                  (infrastructure + code)
//   2. azd env set CONNECT_REGISTRY true && azd provision   (subscription + webhook to the running app)
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used to name the resource group and to make resource names unique.')
param environmentName string

@minLength(1)
param location string

@description('Name of the existing Azure Container Registry whose events the app reacts to.')
param containerRegistryName string

@description('Resource group of that registry; empty = the app\'s resource group.')
param containerRegistryResourceGroup string = ''

@secure()
@description('Value ACR sends in the Authorization header of its webhook (stored in Key Vault as acr-webhook-secret).')
param acrWebhookSecret string

@secure()
@description('A second accepted webhook value while rotating (Key Vault acr-webhook-secret-secondary); empty = none.')
param acrWebhookSecretSecondary string = ''

@description('The header ACR sends the secret in: autopilot.yaml ingress.webhookHeader.')
param acrWebhookHeader string = 'Authorization'

@description('Phase 2: create the native ACR webhooks besides the Event Grid subscription.')
param acrWebhook bool = true

@description('Geo-replicated registry: its replica regions, comma-separated (the home region included); one webhook each, naming its region. Empty = one webhook in the registry\'s location.')
param acrWebhookRegions string = ''

@description('App settings autopilot.yaml names (tokenFrom, urlFrom, secretFrom, usernameFrom, passwordFrom), comma-separated: each becomes a Key Vault reference to the secret of that name with - for _ (GITOPS_TOKEN: GITOPS-TOKEN).')
param secretSettings string = ''

@description('IANA time zone of the retention schedule (app setting WEBSITE_TIME_ZONE); empty = UTC.')
param timeZone string = ''

@description('Object id of the deploying user or principal (azd sets AZURE_PRINCIPAL_ID): gets Key Vault Secrets Officer on the app\'s vault. Empty = nobody.')
param principalId string = ''

@description('Microsoft Entra protected Event Grid delivery: the application id URI or client id of the app registration (autopilot.yaml ingress.eventGrid.entra.audience). Empty = deliver to the acrEventGrid trigger.')
param eventGridEntraAudience string = ''

@description('Directory of that app registration (ingress.eventGrid.entra.tenantId); empty = this subscription\'s tenant.')
param eventGridEntraTenantId string = ''

@description('Phase 2: create the Event Grid subscription and the ACR webhook once the code is deployed.')
param connectRegistry bool = false

@description('Resource ids of the Container Apps that container-app deploy targets update, comma-separated; each gets Container Apps Contributor for the app identity, scoped to that app. Empty = none.')
param deployContainerAppIds string = ''

var containerAppIds = filter(map(split(deployContainerAppIds, ','), id => trim(id)), id => !empty(id))
var secretSettingNames = filter(map(split(secretSettings, ','), name => trim(name)), name => !empty(name))
var webhookRegions = filter(map(split(acrWebhookRegions, ','), region => trim(region)), region => !empty(region))

@description('autopilot.yaml has a retention section for this registry: give the app identity the data roles to list and delete (nothing is assigned otherwise).')
param retentionEnabled bool = false

@allowed(['legacy', 'abac'])
@description('The registry\'s role assignment mode: legacy (AcrPull + AcrDelete) or abac (Repository Catalog Lister + Repository Contributor).')
param registryRoleMode string = 'legacy'

var tags = { 'azd-env-name': environmentName, app: 'acr-autopilot' }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'app.bicep' = {
  name: 'app'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    acrWebhookSecret: acrWebhookSecret
    acrWebhookSecretSecondary: acrWebhookSecretSecondary
    secretSettingNames: secretSettingNames
    deployerPrincipalId: principalId
    timeZone: timeZone
  }
}

module registry 'registry.bicep' = if (connectRegistry) {
  name: 'registry'
  scope: resourceGroup(empty(containerRegistryResourceGroup) ? rg.name : containerRegistryResourceGroup)
  params: {
    containerRegistryName: containerRegistryName
    functionAppId: app.outputs.functionAppId
    functionAppHostName: app.outputs.functionAppHostName
    deadLetterStorageAccountId: app.outputs.storageAccountId
    deadLetterContainerName: app.outputs.deadLetterContainerName
    acrWebhookSecret: acrWebhookSecret
    webhookHeader: acrWebhookHeader
    createWebhooks: acrWebhook
    webhookRegions: webhookRegions
    entraTenantId: eventGridEntraTenantId
    entraAudience: eventGridEntraAudience
  }
}

// Only when configured: the identity may update exactly the apps named, nothing else.
module containerAppRoles 'container-app-role.bicep' = [
  for id in containerAppIds: {
    name: 'aca-role-${uniqueString(id)}'
    scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
    params: {
      containerAppName: last(split(id, '/'))
      principalId: app.outputs.identityPrincipalId
    }
  }
]

// Only when retention is configured: read and delete in the registry, nothing else.
module retentionRoles 'retention-roles.bicep' = if (retentionEnabled) {
  name: 'retention-roles'
  scope: resourceGroup(empty(containerRegistryResourceGroup) ? rg.name : containerRegistryResourceGroup)
  params: {
    containerRegistryName: containerRegistryName
    principalId: app.outputs.identityPrincipalId
    roleMode: registryRoleMode
  }
}

output AZURE_FUNCTION_NAME string = app.outputs.functionAppName
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_URL string = 'https://${app.outputs.functionAppHostName}'
output ACR_WEBHOOK_URL string = 'https://${app.outputs.functionAppHostName}/api/acr/webhook'
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = app.outputs.applicationInsightsConnectionString
