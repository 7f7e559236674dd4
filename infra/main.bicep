// acr-autopilot: Function App (Flex Consumption, Node 22) with storage queues and the dedupe table,
// a user-assigned identity with least-privilege roles, Key Vault for secrets, App Insights, and the
// registry's Event Grid system topic + subscription (and optionally the ACR webhook).
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

@description('Phase 2: create the Event Grid subscription and the ACR webhook once the code is deployed.')
param connectRegistry bool = false

@description('Resource ids of the Container Apps that container-app deploy targets update, comma-separated; each gets Container Apps Contributor for the app identity, scoped to that app. Empty = none.')
param deployContainerAppIds string = ''

var containerAppIds = filter(map(split(deployContainerAppIds, ','), id => trim(id)), id => !empty(id))

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
    acrWebhookSecret: acrWebhookSecret
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
output ACR_WEBHOOK_URL string = 'https://${app.outputs.functionAppHostName}/api/acr/webhook'
output APPLICATIONINSIGHTS_CONNECTION_STRING string = app.outputs.applicationInsightsConnectionString
