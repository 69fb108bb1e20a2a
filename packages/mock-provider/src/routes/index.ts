import { Router } from '../router.ts';
import { imageGenerations, moderations, speech, transcription } from './audio-images.ts';
import { cancelBatch, createBatch, getBatch, listBatches } from './batches.ts';
import { chatCompletions } from './chat.ts';
import { completions } from './completions.ts';
import { embeddings } from './embeddings.ts';
import { deleteFile, fileContent, getFile, listFiles, uploadFile } from './files.ts';
import { messages } from './messages.ts';
import { getModel, listModels } from './models.ts';
import { cancelResponse, createResponse, deleteResponse, getResponse, inputItems } from './responses.ts';
import { deleteStoredChat, getStoredChat, listStoredChat, storedChatMessages, updateStoredChat } from './stored-chat.ts';

export const routes = new Router()
  .on('POST', '/v1/chat/completions', chatCompletions)
  .on('GET', '/v1/chat/completions', listStoredChat)
  .on('GET', '/v1/chat/completions/:id', getStoredChat)
  .on('POST', '/v1/chat/completions/:id', updateStoredChat)
  .on('DELETE', '/v1/chat/completions/:id', deleteStoredChat)
  .on('GET', '/v1/chat/completions/:id/messages', storedChatMessages)
  .on('POST', '/v1/completions', completions)
  .on('POST', '/v1/embeddings', embeddings)
  .on('POST', '/v1/responses', createResponse)
  .on('GET', '/v1/responses/:id', getResponse)
  .on('DELETE', '/v1/responses/:id', deleteResponse)
  .on('POST', '/v1/responses/:id/cancel', cancelResponse)
  .on('GET', '/v1/responses/:id/input_items', inputItems)
  .on('POST', '/v1/messages', messages)
  .on('GET', '/v1/models', listModels)
  .on('GET', '/v1/models/:id', getModel)
  .on('POST', '/v1/files', uploadFile)
  .on('GET', '/v1/files', listFiles)
  .on('GET', '/v1/files/:id', getFile)
  .on('DELETE', '/v1/files/:id', deleteFile)
  .on('GET', '/v1/files/:id/content', fileContent)
  .on('POST', '/v1/audio/speech', speech)
  .on('POST', '/v1/audio/transcriptions', transcription)
  .on('POST', '/v1/audio/translations', transcription)
  .on('POST', '/v1/images/generations', imageGenerations)
  .on('POST', '/v1/moderations', moderations)
  .on('POST', '/v1/batches', createBatch)
  .on('GET', '/v1/batches', listBatches)
  .on('GET', '/v1/batches/:id', getBatch)
  .on('POST', '/v1/batches/:id/cancel', cancelBatch);
